using System.Globalization;
using HubSyncWorker.Demo;

namespace HubSyncWorker.Cli;

/// <summary>
/// The <c>demo</c> verb (<see cref="DemoRun"/>): a simulated portal and the real worker, checked end to end; exit 1 when a check
/// fails or the run takes more than three minutes.
/// </summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(ParsedCommandLine command, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        DemoSettings settings;
        try
        {
            settings = Settings(command);
        }
        catch (CommandLineException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return WorkerCommands.UsageError;
        }

        var time = TimeProvider.System;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3), time);
        try
        {
            var run = new DemoRun(settings, command.ConfigurationArguments, stdout, time);
            return await run.RunAsync(timeout.Token) ? WorkerCommands.Success : WorkerCommands.Failure;
        }
        catch (DemoFailedException ex)
        {
            await stderr.WriteLineAsync($"Demo FAILED: {ex.Message}");
            return WorkerCommands.Failure;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("Demo FAILED: it did not finish within 3 minutes.");
            return WorkerCommands.Failure;
        }
    }

    /// <summary>Reads the verb's flags; a bad value throws <see cref="CommandLineException"/> naming the flag and the value.</summary>
    public static DemoSettings Settings(ParsedCommandLine command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var contacts = Int(command, "--contacts", DemoSettings.DefaultContacts);
        if (contacts is < DemoSettings.MinContacts or > DemoSettings.MaxContacts)
        {
            throw new CommandLineException(string.Create(CultureInfo.InvariantCulture, $"--contacts must be between {DemoSettings.MinContacts} and {DemoSettings.MaxContacts:N0}; got {contacts}."));
        }

        var html = command.Flags.GetValueOrDefault("--html");
        return new DemoSettings(contacts, Int(command, "--seed", DemoSettings.DefaultSeed), string.IsNullOrWhiteSpace(html) ? DemoSettings.DefaultHtmlPath : html, command.Flags.GetValueOrDefault("--out"));
    }

    private static int Int(ParsedCommandLine command, string flag, int fallback)
    {
        if (!command.Flags.TryGetValue(flag, out var raw) || raw is null)
        {
            return fallback;
        }

        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CommandLineException($"{flag} must be a whole number; got '{raw}'.");
    }
}
