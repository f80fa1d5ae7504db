using HubSyncWorker.Cli;
using HubSyncWorker.Reporting;

namespace HubSyncWorker.UnitTests.Reporting;

public sealed class ReportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubsync-report-").FullName;

    [Fact]
    public async Task RunAsync_SavedFunnel_PrintsTheTableAndWritesTheHtmlPage()
    {
        var input = Path.Combine(_folder, "funnel.json");
        var html = Path.Combine(_folder, "out", "report.html");
        await FunnelReportTests.Known().SaveAsync(input, CancellationToken.None);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(["report", "--input", input, "--html", html], stdout, stderr);

        Assert.Equal(WorkerCommands.Success, exit);
        Assert.StartsWith(FunnelTable.Render(FunnelReportTests.Known()), stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("id=\"funnel-chart\"", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public async Task RunAsync_NoInput_IsAUsageErrorNamingTheFlag()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(["report"], stdout, stderr);

        Assert.Equal(WorkerCommands.UsageError, exit);
        Assert.Contains("--input", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_FileIsNotAFunnel_FailsSayingWhichFile()
    {
        var input = Path.Combine(_folder, "other.json");
        await File.WriteAllTextAsync(input, "[1, 2, 3]");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(["report", "--input", input], stdout, stderr);

        Assert.Equal(PolicyCommands.InvalidInput, exit);
        Assert.Contains(input, stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal("", stdout.ToString());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
