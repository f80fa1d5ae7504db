using HubSyncWorker.Cli;
using HubSyncWorker.Demo;
using HubSyncWorker.Qualification;

namespace HubSyncWorker.UnitTests.Demo;

public sealed class DemoPortalTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Generate_SameSeedAndDay_SameContacts()
    {
        var first = new DemoPortal(7, Now).Generate(300);
        var second = new DemoPortal(7, Now).Generate(300);

        Assert.Equal(first.Select(c => (c.Persona, c.Deals)), second.Select(c => (c.Persona, c.Deals)));
        Assert.Equal(first.Select(c => string.Join(";", c.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))), second.Select(c => string.Join(";", c.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))));
    }

    [Fact]
    public void Generate_OtherSeed_OtherContacts()
    {
        var first = new DemoPortal(7, Now).Generate(300);
        var other = new DemoPortal(8, Now).Generate(300);

        Assert.NotEqual(first.Select(c => c.Properties["email"]), other.Select(c => c.Properties["email"]));
    }

    [Fact]
    public void Generate_SmallPortal_HasEveryPersonaAndUniqueEmails()
    {
        var contacts = new DemoPortal(42, Now).Generate(120);

        Assert.Equal(120, contacts.Count);
        Assert.Equal(Enum.GetValues<DemoPersona>().Order(), contacts.Select(c => c.Persona).Distinct().Order());
        Assert.Equal(120, contacts.Select(c => c.Properties["email"]).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Generate_DefaultPolicy_EveryWorkerStatusIsDecidedForSomeone()
    {
        var policy = QualificationPolicy.CompileDefault();
        var contacts = new DemoPortal(42, Now).Generate(2000);

        var statuses = contacts.Select((c, i) => policy.Evaluate(Snapshot(i, c), Now).Status).Distinct().ToHashSet();

        Assert.Equal(Enum.GetValues<QualificationStatus>().ToHashSet(), statuses);
    }

    [Fact]
    public void Generate_Dates_AreSpreadOverThePastYearAndNeverInTheFuture()
    {
        var contacts = new DemoPortal(42, Now).Generate(500);

        var lastVisits = contacts.Select(c => c.Properties.GetValueOrDefault("hs_analytics_last_visit_timestamp")).OfType<string>()
            .Select(Instant).ToList();
        Assert.All(lastVisits, d => Assert.True(d <= Now));
        Assert.Contains(lastVisits, d => Now - d < TimeSpan.FromDays(14));
        Assert.Contains(lastVisits, d => Now - d > TimeSpan.FromDays(120));
    }

    /// <summary>The story personas write epoch milliseconds; the bulk contacts from the sandbox's generator write ISO 8601, as HubSpot answers.</summary>
    private static DateTimeOffset Instant(string value) =>
        long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(new[] { "demo" }, 2000, 42, "artifacts/demo-report.html", null)]
    [InlineData(new[] { "demo", "--contacts", "300", "--seed", "7", "--html", "x.html", "--out", "f.json" }, 300, 7, "x.html", "f.json")]
    public void From_Flags_ReadsContactsSeedAndPaths(string[] args, int contacts, int seed, string html, string? json)
    {
        var settings = DemoCommand.Settings(CommandLine.Parse(args));

        Assert.Equal(new DemoSettings(contacts, seed, html, json), settings);
    }

    [Theory]
    [InlineData("--contacts", "12", "--contacts must be between 100 and 100,000; got 12.")]
    [InlineData("--contacts", "lots", "--contacts must be a whole number; got 'lots'.")]
    [InlineData("--seed", "4.2", "--seed must be a whole number; got '4.2'.")]
    public void From_BadFlag_NamesTheFlagAndTheValue(string flag, string value, string message)
    {
        var error = Assert.Throws<CommandLineException>(() => DemoCommand.Settings(CommandLine.Parse(["demo", flag, value])));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task RunAsync_BadFlag_ExitsWithTheUsageErrorCode()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await WorkerCommands.RunAsync(["demo", "--contacts", "5"], stdout, stderr);

        Assert.Equal(WorkerCommands.UsageError, exit);
        Assert.Contains("--contacts", stderr.ToString(), StringComparison.Ordinal);
    }

    private static ContactSnapshot Snapshot(int index, DemoContact contact)
    {
        var properties = new Dictionary<string, string?>(contact.Properties, StringComparer.Ordinal)
        {
            ["num_associated_deals"] = contact.Deals.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var conversions = new[] { contact.Properties.GetValueOrDefault("first_conversion_event_name"), contact.Properties.GetValueOrDefault("recent_conversion_event_name") }
            .OfType<string>().Take(contact.Properties.GetValueOrDefault("num_conversion_events") == "1" ? 1 : 2).ToList();
        return new ContactSnapshot((index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), properties, conversions);
    }
}
