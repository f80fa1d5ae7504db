using System.Diagnostics;

namespace HubSyncWorker.LoadTests.Infrastructure;

/// <summary>This tool started again as a separate process (so its memory is its own), with stdout read line by line.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static ChildProcess Start(params string[] args)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {self}."));
    }

    /// <summary>The next stdout line that starts with <paramref name="prefix"/> (other lines are echoed), or an error if the child exits first.</summary>
    public async Task<string> ReadLineStartingWithAsync(string prefix, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (await _process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..].Trim();
            }

            Console.WriteLine($"    [{_process.Id}] {line}");
        }

        await _process.WaitForExitAsync(cancel.Token);
        throw new InvalidOperationException($"Child {_process.Id} exited with {_process.ExitCode} before printing '{prefix}'.");
    }

    /// <summary>Closes the child's stdin (its signal to stop) and waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
