using HubSyncWorker.Demo;

namespace HubSyncWorker.UnitTests.Demo;

public sealed class ProgressBarTests
{
    [Theory]
    [InlineData(0L, 2000L, 0L, "  [------------------------------]      0/2,000 contacts, 0 to change")]
    [InlineData(1000L, 2000L, 612L, "  [###############---------------]  1,000/2,000 contacts, 612 to change")]
    [InlineData(2000L, 2000L, 1500L, "  [##############################]  2,000/2,000 contacts, 1,500 to change")]
    [InlineData(300L, null, 3L, "  [------------------------------]    300/? contacts, 3 to change")]
    public void Render_Progress_BarAndCounts(long processed, long? total, long changed, string expected) =>
        Assert.Equal(expected, ProgressBar.Render(processed, total, changed, 30));

    [Fact]
    public async Task ShowAsync_NotATerminal_OneLinePerQuarterAndNoCarriageReturns()
    {
        using var output = new StringWriter();
        var bar = new ProgressBar(output, interactive: false, width: 4);

        foreach (var processed in new[] { 0, 100, 200, 300, 500, 600, 800, 900, 1000 })
        {
            await bar.ShowAsync(processed, 1000, 0);
        }

        await bar.FinishAsync(1000, 0);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["   100", "   300", "   500", "   800", " 1,000"], lines.Select(l => l.Split(']')[1][1..7]));
        Assert.DoesNotContain('\r', output.ToString());
    }

    [Fact]
    public async Task ShowAsync_Terminal_RedrawsTheSameLine()
    {
        using var output = new StringWriter();
        var bar = new ProgressBar(output, interactive: true, width: 4);

        await bar.ShowAsync(100, 1000, 0);
        await bar.ShowAsync(100, 1000, 0);
        await bar.ShowAsync(500, 1000, 0);

        Assert.Equal(2, output.ToString().Count(c => c == '\r'));
        Assert.DoesNotContain('\n', output.ToString());
    }
}
