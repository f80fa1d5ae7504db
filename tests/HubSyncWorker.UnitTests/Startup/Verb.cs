using HubSyncWorker.Cli;

namespace HubSyncWorker.UnitTests.Startup;

/// <summary>Runs the command line as the process would, keeping what it wrote to stderr.</summary>
internal static class Verb
{
    public static async Task<(int Exit, string Errors)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await WorkerCommands.RunAsync(args, stdout, stderr);
        return (exit, stderr.ToString());
    }
}
