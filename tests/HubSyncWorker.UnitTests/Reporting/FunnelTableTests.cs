using HubSyncWorker.Reporting;

namespace HubSyncWorker.UnitTests.Reporting;

public sealed class FunnelTableTests
{
    [Fact]
    public void Render_KnownFunnel_PrintsStagesReachedAndConversionsOverallPerSourceAndPerOffer()
    {
        var text = FunnelTable.Render(FunnelReportTests.Known());

        const string expected = """
            Known portal: 100 contacts

              stage          contacts  reached  conversion
              contact              10      100
              lead                 60       86  contact→lead            86.0 %
              mql                  10       26  lead→mql                30.2 %
              sql                   5       11  mql→sql                 42.3 %
              opportunity           3        6  sql→opportunity         54.5 %
              customer              2        3  opportunity→customer    50.0 %
              evangelist            1        1  customer→evangelist     33.3 %
              disqualified          4           left the funnel (competitor, bad address)
              recycled              5           MQLs gone cold, back to nurturing (count as reached mql)

              by source      contacts    leads   lead→MQL    MQL→SQL    SQL→opp
              organic              73       63     36.5 %     34.8 %     37.5 %
              paid_social          20       20      0.0 %          -          -
              direct                4        0          -          -          -
              referral              3        3    100.0 %    100.0 %    100.0 %

              by offer       contacts    leads   lead→MQL    MQL→SQL    SQL→opp
              newsletter           45       45     11.1 %      0.0 %          -
              none                 30       20      0.0 %          -          -
              demo                 15       11    100.0 %    100.0 %     54.5 %
              content              10       10    100.0 %      0.0 %          -

            """;
        Assert.Equal(expected.ReplaceLineEndings(), text.ReplaceLineEndings());
    }

    [Fact]
    public void Render_MoreGroupsThanShown_SaysHowManyAreLeftOut()
    {
        var text = FunnelTable.Render(FunnelReportTests.Known(), maxGroups: 2);

        Assert.Contains("  ... and 2 more", text, StringComparison.Ordinal);
        Assert.DoesNotContain("referral ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DryRun_SaysTheCountsAreWhatTheWorkerWouldDecide()
    {
        var text = FunnelTable.Render(FunnelReportTests.Known() with { DryRun = true });

        Assert.StartsWith("Known portal: 100 contacts (dry run: what the worker would decide)", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "-")]
    [InlineData(0.0, "0.0 %")]
    [InlineData(1.0 / 3, "33.3 %")]
    [InlineData(1.0, "100.0 %")]
    public void Percent_Rate_OneDecimalOrDashWhenNobodyReachedTheEarlierStage(double? rate, string expected) =>
        Assert.Equal(expected, FunnelTable.Percent(rate));
}
