namespace HubSyncWorker.Reporting;

/// <summary>Writes a file a verb was asked for (<c>--html</c>, <c>--out</c>), creating its folder; a path that cannot be written is a clear error.</summary>
internal static class OutputFile
{
    /// <exception cref="OutputFileException">The folder cannot be created or the file written (a directory, no permission, a read-only file system).</exception>
    public static async Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        try
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            await File.WriteAllTextAsync(path, text, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new OutputFileException($"Cannot write {path}: {ex.Message}", ex);
        }
    }
}

/// <summary>An output file could not be written; the message names it and says why.</summary>
internal sealed class OutputFileException(string message, Exception innerException) : Exception(message, innerException);
