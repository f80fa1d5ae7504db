using System.Globalization;

namespace HubSyncWorker.Demo;

/// <summary>
/// A plain-text progress bar. On a terminal it redraws one line (<c>\r</c>); elsewhere (CI logs, a file, a test's writer) it prints
/// a new line at each quarter, so logs stay readable.
/// </summary>
internal sealed class ProgressBar(TextWriter output, bool interactive, int width = 30)
{
    private int _lastQuarter = -1;
    private string? _lastLine;

    public async Task ShowAsync(long processed, long? total, long changed)
    {
        var line = Render(processed, total, changed, width);
        if (interactive)
        {
            if (line != _lastLine)
            {
                // Pad over a longer previous line so no stale characters remain.
                await output.WriteAsync("\r" + line.PadRight(_lastLine?.Length ?? 0));
                _lastLine = line;
            }

            return;
        }

        var quarter = total is > 0 ? (int)(4 * processed / total.Value) : -1;
        if (quarter > _lastQuarter && quarter < 4 && processed > 0)
        {
            _lastQuarter = quarter;
            await output.WriteLineAsync(line);
        }
    }

    public async Task FinishAsync(long processed, long changed)
    {
        var line = Render(processed, processed, changed, width);
        await output.WriteLineAsync(interactive ? "\r" + line.PadRight(_lastLine?.Length ?? 0) : line);
    }

    /// <summary><c>  [###############---------------]  1,000/2,000 contacts, 612 to change</c>.</summary>
    internal static string Render(long processed, long? total, long changed, int width)
    {
        var fraction = total is > 0 ? Math.Clamp((double)processed / total.Value, 0, 1) : 0;
        var filled = (int)Math.Round(fraction * width);
        var totalText = total is { } t ? t.ToString("N0", CultureInfo.InvariantCulture) : "?";
        return string.Create(CultureInfo.InvariantCulture,
            $"  [{new string('#', filled)}{new string('-', width - filled)}] {processed,6:N0}/{totalText} contacts, {changed:N0} to change");
    }
}
