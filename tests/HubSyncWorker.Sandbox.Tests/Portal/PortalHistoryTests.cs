using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sandbox.Portal;
using HubSyncWorker.Sandbox.Properties;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.Sandbox.Tests.Portal;

/// <summary>
/// The portal with a past (<see cref="PortalGenerator.SeedWithHistory"/>): the planted effects are measured from what the store holds
/// (stage dates, property histories), as an analysis would read them, never from the <see cref="PortalTruth"/> itself.
/// </summary>
public sealed class PortalHistoryTests
{
    private const int Contacts = 5_000;
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    // The default policy's keywords (DefaultPolicy.json): demo-video, newsletter and student-title rules.
    private static readonly string[] VideoKeywords = ["video", "vidéo", "webinar replay"];
    private static readonly string[] StudentKeywords = ["student", "intern"];

    [Fact]
    public async Task SeedWithHistory_FiveThousandContacts_StoreShowsThePlantedMqlToSqlRates()
    {
        await using var session = await StartAsync();
        var truth = new PortalGenerator(seed: 21).SeedWithHistory(session.Sandbox.Contacts, Contacts, Now);

        var mqls = truth.Ids.Select(id => Observe(session.Sandbox.Contacts, id)).Where(c => c.Mql is not null).ToList();
        var students = mqls.Where(c => c.Student).ToList();
        var others = mqls.Where(c => !c.Student).ToList();
        var video = Rate(others.Where(c => c.Video && c.Source != "REFERRALS"));
        var noVideo = Rate(others.Where(c => !c.Video && c.Source != "REFERRALS"));
        var referrals = Rate(others.Where(c => !c.Video && c.Source == "REFERRALS"));

        Assert.InRange(mqls.Count, 1_200, 1_800);
        Assert.InRange(video, 0.37, 0.53);
        Assert.InRange(noVideo, 0.11, 0.19);
        Assert.InRange(video / noVideo, 2.3, 3.9);
        Assert.InRange(Math.Abs(Rate(others.Where(c => c.Newsletter)) - Rate(others.Where(c => !c.Newsletter))), 0, 0.05);
        Assert.True(students.Count >= 50, $"only {students.Count} student MQLs");
        Assert.DoesNotContain(students, c => c.Sql is not null);
        Assert.InRange(referrals / noVideo, 1.4, 2.8);
    }

    [Fact]
    public async Task SeedWithHistory_FiveThousandContacts_AThirdOfSqlsBecomeCustomersThroughOpportunityInDateOrder()
    {
        await using var session = await StartAsync();
        var truth = new PortalGenerator(seed: 21).SeedWithHistory(session.Sandbox.Contacts, Contacts, Now);

        var observed = truth.Ids.Select(id => Observe(session.Sandbox.Contacts, id)).ToList();
        var sqls = observed.Where(c => c.Sql is not null).ToList();

        Assert.InRange(sqls.Count(c => c.Customer is not null) / (double)sqls.Count, 0.26, 0.41);
        Assert.All(observed.Where(c => c.Customer is not null), c => Assert.True(c.Mql < c.Sql && c.Sql < c.Opportunity && c.Opportunity < c.Customer));
        Assert.All(observed, c => Assert.True(c.Created <= (c.Lead ?? c.Created) && c.LastModified < Now));
        Assert.InRange(observed.Count(c => c.Lead is not null) / (double)Contacts, 0.72, 0.78);
        Assert.InRange(observed.Count(c => c.Mql is not null) / (double)observed.Count(c => c.Lead is not null), 0.37, 0.43);
    }

    [Fact]
    public async Task SeedWithHistory_HindsightContacts_HistoryAtTheCutoffDiffersFromToday()
    {
        await using var session = await StartAsync();
        var contacts = session.Sandbox.Contacts;
        var truth = new PortalGenerator(seed: 21).SeedWithHistory(contacts, 2_000, Now);

        var hindsight = truth.HindsightContacts.ToList();

        Assert.InRange(hindsight.Count / (double)truth.Mqls.Count(), 0.10, 0.20);
        Assert.All(Enum.GetValues<HindsightKind>(), kind => Assert.Contains(hindsight, c => c.Hindsight!.Kind == kind));
        Assert.All(hindsight, c =>
        {
            var change = c.Hindsight!;
            var cutoff = Parse(contacts.GetContact(c.Id)!.Properties["hs_v2_date_entered_marketingqualifiedlead"])!.Value;
            Assert.True(change.At > cutoff);
            Assert.Equal(change.ValueAtCutoff, ValueAt(contacts, c.Id, change.Property, cutoff));
            Assert.Equal(change.ValueToday, contacts.GetContact(c.Id)!.Properties[change.Property]);
            Assert.NotEqual(change.ValueAtCutoff, change.ValueToday);
        });
        var observed = hindsight.Select(c => Observe(contacts, c.Id)).ToList();
        Assert.All(observed.Zip(hindsight), pair => Assert.Equal(pair.Second.Student, pair.First.Student));
        Assert.All(observed.Zip(hindsight), pair => Assert.Equal(pair.Second.DemoVideo, pair.First.Video));
    }

    [Fact]
    public async Task SeedWithHistory_TruthDatesAreTheStoredStageDates()
    {
        await using var session = await StartAsync();
        var contacts = session.Sandbox.Contacts;
        var truth = new PortalGenerator(seed: 8).SeedWithHistory(contacts, 1_000, Now);

        Assert.All(truth.Contacts, c =>
        {
            var o = Observe(contacts, c.Id);
            Assert.Equal((c.CreatedAt, c.LeadAt, c.MqlAt, c.SqlAt, c.OpportunityAt, c.CustomerAt), (o.Created, o.Lead, o.Mql, o.Sql, o.Opportunity, o.Customer));
            Assert.Equal((c.DemoVideo, c.Newsletter, c.Student, c.OriginalSource), (o.Video, o.Newsletter, o.Student, o.Source));
            Assert.Equal(c.FirstConversion, contacts.GetContact(c.Id)!.Properties.GetValueOrDefault("first_conversion_event_name"));
        });
    }

    [Fact]
    public async Task SeedWithHistory_BatchReadWithHistory_StageDatesAndLifecycleHistoryAsHubSpotAnswers()
    {
        await using var session = await StartAsync();
        var truth = new PortalGenerator(seed: 8).SeedWithHistory(session.Sandbox.Contacts, 500, Now);
        var customer = truth.Contacts.First(c => c.CustomerAt is not null);

        var result = await session.PostAsync("/crm/objects/2026-03/contacts/batch/read", new
        {
            properties = new[] { "hs_v2_date_entered_marketingqualifiedlead", "hs_v2_date_entered_customer", "hs_analytics_source", "first_conversion_event_name" },
            propertiesWithHistory = new[] { "lifecyclestage" },
            inputs = new[] { new { id = customer.Id } },
        });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var record = result.Results.Single()!;
        Assert.Equal(Iso(customer.MqlAt!.Value), record["properties"]!["hs_v2_date_entered_marketingqualifiedlead"]!.GetValue<string>());
        Assert.Equal(Iso(customer.CustomerAt!.Value), record["properties"]!["hs_v2_date_entered_customer"]!.GetValue<string>());
        Assert.Equal(Iso(customer.CreatedAt), record["properties"]!["createdate"]!.GetValue<string>());
        Assert.Equal(customer.OriginalSource, record["properties"]!["hs_analytics_source"]!.GetValue<string>());
        var history = record["propertiesWithHistory"]!["lifecyclestage"]!.AsArray();
        Assert.Equal(["customer", "opportunity", "salesqualifiedlead", "marketingqualifiedlead", "lead"], history.Select(v => v!["value"]!.GetValue<string>()));
        Assert.Equal(
            [customer.CustomerAt, customer.OpportunityAt, customer.SqlAt, customer.MqlAt, customer.CreatedAt],
            history.Select(v => (DateTimeOffset?)DateTimeOffset.Parse(v!["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task SeedWithHistory_SameSeed_SamePortalAndTruth_DifferentSeed_Different()
    {
        await using var first = await StartAsync();
        await using var second = await StartAsync();
        await using var other = await StartAsync();

        var a = new PortalGenerator(seed: 3).SeedWithHistory(first.Sandbox.Contacts, 300, Now);
        var b = new PortalGenerator(seed: 3).SeedWithHistory(second.Sandbox.Contacts, 300, Now);
        var c = new PortalGenerator(seed: 4).SeedWithHistory(other.Sandbox.Contacts, 300, Now);

        Assert.Equal(JsonSerializer.Serialize(a), JsonSerializer.Serialize(b));
        Assert.NotEqual(JsonSerializer.Serialize(a), JsonSerializer.Serialize(c));
        Assert.All(a.Ids, id => Assert.Equal(Stored(first, id), Stored(second, id)));
        Assert.All(a.Ids, id => Assert.Equal(
            first.Sandbox.Contacts.GetHistory(id, "recent_conversion_event_name"), second.Sandbox.Contacts.GetHistory(id, "recent_conversion_event_name")));
    }

    [Fact]
    public async Task SeedWithHistory_ExistingSeed_Unchanged()
    {
        await using var plain = await StartAsync();
        await using var withHistory = await StartAsync();
        var generator = new PortalGenerator(seed: 5);

        var ids = generator.Seed(plain.Sandbox.Contacts, 50, Now);
        generator.SeedWithHistory(withHistory.Sandbox.Contacts, 50, Now);

        Assert.All(ids.Select((id, i) => (id, i)), p => Assert.All(generator.Contact(p.i, Now), v => Assert.Equal(v.Value, plain.Sandbox.Contacts.GetContact(p.id)!.Properties.GetValueOrDefault(v.Key))));
    }

    [Fact]
    public void Options_OutOfRange_ThrowsNamingTheOption()
    {
        var tooLikely = Assert.Throws<ArgumentOutOfRangeException>(() => new PortalHistoryOptions { MqlToSqlRate = 0.5 }.Validate());
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => new PortalHistoryOptions { StudentShare = -0.1 }.Validate());
        var customers = Assert.Throws<ArgumentOutOfRangeException>(() => new PortalHistoryOptions { SqlToCustomerRate = 0.9 }.Validate());

        Assert.Contains("MqlToSqlRate", tooLikely.Message, StringComparison.Ordinal);
        Assert.Equal("StudentShare", negative.ParamName);
        Assert.Equal("SqlToCustomerRate", customers.ParamName);
    }

    [Fact]
    public async Task SeedWithHistory_TwentyThousandContacts_TakesAFewSeconds()
    {
        await using var session = await StartAsync();
        var clock = Stopwatch.StartNew();

        var truth = new PortalGenerator().SeedWithHistory(session.Sandbox.Contacts, 20_000, Now);

        Assert.Equal(20_000, truth.Contacts.Count);
        // A few seconds on an idle machine; the generous bound catches a quadratic regression, not a slow CI runner.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"seeding took {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static Task<SandboxSession> StartAsync() => SandboxSession.StartAsync(o => o.TimeProvider = new FakeTimeProvider(Now));

    /// <summary>A contact as an analysis reads it from the store: stage dates, and the policy inputs at its cut-off from the histories.</summary>
    private static Observed Observe(SandboxContactStore store, string id)
    {
        var properties = store.GetContact(id)!.Properties;
        DateTimeOffset? Entered(string stage) => Parse(properties.GetValueOrDefault(PropertyCatalog.DateEnteredProperty(stage)));
        var mql = Entered("marketingqualifiedlead");
        var cutoff = mql ?? Now;
        var conversions = store.GetHistory(id, "recent_conversion_event_name").Where(v => v.Timestamp <= cutoff).Select(v => v.Value).ToList();
        var title = ValueAt(store, id, "jobtitle", cutoff) ?? "";
        return new Observed(
            Parse(properties["createdate"])!.Value,
            Parse(properties["lastmodifieddate"])!.Value,
            Entered("lead"),
            mql,
            Entered("salesqualifiedlead"),
            Entered("opportunity"),
            Entered("customer"),
            properties["hs_analytics_source"],
            conversions.Any(c => VideoKeywords.Any(k => c.Contains(k, StringComparison.OrdinalIgnoreCase))),
            conversions.Any(c => c.Contains("newsletter", StringComparison.OrdinalIgnoreCase)),
            StudentKeywords.Any(k => title.Contains(k, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The property's value at <paramref name="moment"/>: its latest version at or before it (history is newest first).</summary>
    private static string? ValueAt(SandboxContactStore store, string id, string property, DateTimeOffset moment) =>
        store.GetHistory(id, property).FirstOrDefault(v => v.Timestamp <= moment)?.Value;

    private static double Rate(IEnumerable<Observed> mqls)
    {
        var list = mqls.ToList();
        return list.Count(c => c.Sql is not null) / (double)list.Count;
    }

    private static List<KeyValuePair<string, string>> Stored(SandboxSession session, string id) =>
        [.. session.Sandbox.Contacts.GetContact(id)!.Properties.OrderBy(p => p.Key, StringComparer.Ordinal)];

    private static DateTimeOffset? Parse(string? value) =>
        value is null ? null : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed record Observed(
        DateTimeOffset Created,
        DateTimeOffset LastModified,
        DateTimeOffset? Lead,
        DateTimeOffset? Mql,
        DateTimeOffset? Sql,
        DateTimeOffset? Opportunity,
        DateTimeOffset? Customer,
        string Source,
        bool Video,
        bool Newsletter,
        bool Student);
}
