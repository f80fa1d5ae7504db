using System.Text.RegularExpressions;
using HubSyncWorker.Cli;

namespace HubSyncWorker.UnitTests.Startup;

/// <summary>
/// The host is made in one place (WorkerHost) for <c>run</c>, the verbs, the demo and the tests, and only the entry point and the
/// command line know the command line: the other folders never call back into <c>Cli/</c>.
/// </summary>
public sealed partial class StartupPathTests
{
    private static readonly string HostSource = Path.Combine(RepositoryRoot(), "src", "HubSyncWorker");

    [Fact]
    public void HostSources_OutsideCli_NeverReferenceTheCli()
    {
        var offenders = SourceFiles()
            .Where(f => !f.Relative.StartsWith("Cli/", StringComparison.Ordinal) && f.Relative != "Program.cs")
            .Where(f => CliReference().IsMatch(f.Text))
            .Select(f => f.Relative)
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void HostSources_MakeHostsOnlyInWorkerHost()
    {
        var offenders = SourceFiles()
            .Where(f => f.Relative != "WorkerHost.cs" && HostCreation().IsMatch(f.Text))
            .Select(f => f.Relative)
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public async Task RunAsync_SameBadValue_RunAndAVerbStopWithTheSameMessage()
    {
        string[] settings = ["--HubSpot:AccessToken=pat-x", "--Sync:QueueBatchSize=500"];

        var (runExit, run) = await Verb.RunAsync(["run", .. settings]);
        var (resyncExit, resync) = await Verb.RunAsync(["resync", .. settings]);

        Assert.Equal((WorkerCommands.Failure, WorkerCommands.Failure), (runExit, resyncExit));
        var line = Assert.Single(resync.Split(Environment.NewLine), l => l.Contains("Sync:QueueBatchSize", StringComparison.Ordinal));
        Assert.Contains(line, run.Split(Environment.NewLine));
        Assert.StartsWith("Invalid configuration:", run, StringComparison.Ordinal);
    }

    private static IEnumerable<(string Relative, string Text)> SourceFiles() =>
        Directory.EnumerateFiles(HostSource, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(HostSource, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("obj/", StringComparison.Ordinal) && !f.StartsWith("bin/", StringComparison.Ordinal))
            .Select(f => (f, File.ReadAllText(Path.Combine(HostSource, f))));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HubSyncWorker.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("HubSyncWorker.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\bCli\.")]
    private static partial Regex CliReference();

    [GeneratedRegex(@"Host\.CreateApplicationBuilder|WebApplication\.Create(Slim|Empty)?Builder|Host\.CreateDefaultBuilder")]
    private static partial Regex HostCreation();
}
