namespace HubSyncWorker.Cli;

/// <summary>Runs the verb the command line names; returns the process exit code.</summary>
internal static class WorkerCommands
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ParsedCommandLine command;
        try
        {
            command = CommandLine.Parse(args);
        }
        catch (CommandLineException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return UsageError;
        }

        switch (command.Verb)
        {
            case "help":
                await stdout.WriteLineAsync(CommandLine.Usage);
                return Success;
            case "run":
                return await RunWorkerAsync(command.ConfigurationArguments);
            default:
                await stderr.WriteLineAsync($"Unknown verb '{command.Verb}'.{Environment.NewLine}{CommandLine.Usage}");
                return UsageError;
        }
    }

    private static async Task<int> RunWorkerAsync(string[] configurationArguments)
    {
        var builder = WebApplication.CreateBuilder(configurationArguments);
        var app = builder.Build();
        app.MapGet("/alive", () => Results.Ok("alive"));
        await app.RunAsync();
        return Environment.ExitCode;
    }
}
