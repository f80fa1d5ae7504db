using System.Diagnostics;
using System.Globalization;
using HubSyncWorker.Sandbox.Portal;
using HubSyncWorker.Sandbox.Properties;

namespace HubSyncWorker.Sandbox.Tests.Portal;

public sealed class PortalGeneratorTests
{
    private const int Contacts = 3_000;
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Seed_RealisticPortal_AboutAThirdHaveMoreThanTwoConversionsEachAVersionOfTheRecentConversion()
    {
        await using var session = await SandboxSession.StartAsync();
        var ids = new PortalGenerator(seed: 11).Seed(session.Sandbox.Contacts, Contacts, Now);

        var counts = ids.ToDictionary(id => id, id => ConversionCount(session, id));
        Assert.InRange(counts.Values.Count(c => c > 2) / (double)Contacts, 0.30, 0.37);
        Assert.InRange(counts.Values.Count(c => c == 0) / (double)Contacts, 0.25, 0.35);
        Assert.All(ids, id =>
        {
            var versions = session.Sandbox.Contacts.GetHistory(id, "recent_conversion_event_name");
            Assert.Equal(counts[id], versions.Count);
            if (counts[id] > 0)
            {
                var contact = session.Sandbox.Contacts.GetContact(id)!;
                Assert.Equal(versions[^1].Value, contact.Properties["first_conversion_event_name"]);
                Assert.Equal(versions[0].Value, contact.Properties["recent_conversion_event_name"]);
                Assert.Equal(counts[id], session.Sandbox.Contacts.GetHistory(id, "num_conversion_events").Count);
            }
        });
    }

    [Fact]
    public async Task Seed_RealisticPortal_LeavesAShareOfPolicyPropertiesUnsetAndAnswersThemNull()
    {
        await using var session = await SandboxSession.StartAsync();
        var ids = new PortalGenerator(seed: 11).Seed(session.Sandbox.Contacts, Contacts, Now);

        foreach (var (name, low, high) in new[] { ("jobtitle", 0.25, 0.45), ("industry", 0.35, 0.55), ("numemployees", 0.40, 0.60), ("country", 0.15, 0.35) })
        {
            var unset = ids.Count(id => !session.Sandbox.Contacts.GetContact(id)!.Properties.ContainsKey(name)) / (double)Contacts;
            Assert.True(unset >= low && unset <= high, $"{name}: {unset:P1} unset, expected {low:P0} to {high:P0}");
        }

        var page = await session.GetAsync("/crm/v3/objects/contacts?limit=100&properties=jobtitle,industry,numemployees,country");
        Assert.Contains(page.Results, r => r!["properties"]!["industry"] is null && r["properties"]!.AsObject().ContainsKey("industry"));
    }

    [Fact]
    public async Task Seed_SameSeed_SameContactsAndDifferentSeed_DifferentContacts()
    {
        await using var first = await SandboxSession.StartAsync();
        await using var second = await SandboxSession.StartAsync();
        await using var other = await SandboxSession.StartAsync();
        var ids = new PortalGenerator(seed: 3).Seed(first.Sandbox.Contacts, 200, Now);
        new PortalGenerator(seed: 3).Seed(second.Sandbox.Contacts, 200, Now);
        new PortalGenerator(seed: 4).Seed(other.Sandbox.Contacts, 200, Now);

        Assert.All(ids, id => Assert.Equal(Generated(first, id), Generated(second, id)));
        Assert.Contains(ids, id => !Generated(first, id).SequenceEqual(Generated(other, id)));
    }

    [Fact]
    public async Task Contact_EveryIndex_IsTheContactSeedLeaves()
    {
        await using var session = await SandboxSession.StartAsync();
        var generator = new PortalGenerator(seed: 5);
        var ids = generator.Seed(session.Sandbox.Contacts, 100, Now);

        for (var i = 0; i < ids.Count; i++)
        {
            var stored = session.Sandbox.Contacts.GetContact(ids[i])!.Properties;
            Assert.All(generator.Contact(i, Now), p => Assert.Equal(p.Value, stored.GetValueOrDefault(p.Key)));
        }
    }

    [Fact]
    public async Task Edit_OneRound_ChangesAboutTenPercentAndMovesTheConversionCountOfAboutHalfOfThem()
    {
        await using var session = await SandboxSession.StartAsync();
        var generator = new PortalGenerator(seed: 11);
        var ids = generator.Seed(session.Sandbox.Contacts, Contacts, Now);
        var before = ids.ToDictionary(id => id, id => session.Sandbox.Contacts.GetContact(id)!.Properties);
        var countsBefore = ids.ToDictionary(id => id, id => ConversionCount(session, id));

        var edit = generator.Edit(session.Sandbox.Contacts, ids, Now.AddDays(1));

        var changed = ids.Where(id => !session.Sandbox.Contacts.GetContact(id)!.Properties.OrderBy(p => p.Key).SequenceEqual(before[id].OrderBy(p => p.Key))).ToList();
        var moved = ids.Where(id => ConversionCount(session, id) != countsBefore[id]).ToList();
        Assert.Equal(edit.Changed, changed);
        Assert.Equal(edit.Converted, moved);
        Assert.InRange(changed.Count / (double)Contacts, 0.08, 0.12);
        Assert.InRange(moved.Count / (double)changed.Count, 0.40, 0.60);
        Assert.All(moved, id => Assert.Equal(countsBefore[id] + 1, ConversionCount(session, id)));
        Assert.All(moved, id => Assert.Equal(countsBefore[id] + 1, session.Sandbox.Contacts.GetHistory(id, "recent_conversion_event_name").Count));
    }

    [Fact]
    public async Task Edit_TwoRounds_ChangeDifferentContacts()
    {
        await using var session = await SandboxSession.StartAsync();
        var generator = new PortalGenerator(seed: 11);
        var ids = generator.Seed(session.Sandbox.Contacts, Contacts, Now);

        var first = generator.Edit(session.Sandbox.Contacts, ids, Now, round: 1);
        var second = generator.Edit(session.Sandbox.Contacts, ids, Now, round: 2);

        Assert.True(first.Changed.Intersect(second.Changed).Count() < first.Changed.Count / 4, "the rounds pick mostly different contacts");
    }

    [Fact]
    public async Task Seed_HundredThousandContacts_TakesAFewSeconds()
    {
        await using var session = await SandboxSession.StartAsync();
        var clock = Stopwatch.StartNew();

        var ids = new PortalGenerator().Seed(session.Sandbox.Contacts, 100_000, Now);

        Assert.Equal(100_000, ids.Count);
        // A few seconds on an idle machine; the generous bound catches a quadratic regression, not a slow CI runner.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"seeding took {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>The generated values, without the creation, modification and stage-entry instants (the sandbox's clock).</summary>
    private static List<KeyValuePair<string, string>> Generated(SandboxSession session, string id) =>
        [.. session.Sandbox.Contacts.GetContact(id)!.Properties
            .Where(p => p.Key is not ("createdate" or "lastmodifieddate") && !PropertyCatalog.IsStageDate(p.Key))
            .OrderBy(p => p.Key, StringComparer.Ordinal)];

    private static int ConversionCount(SandboxSession session, string id) =>
        int.Parse(session.Sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("num_conversion_events") ?? "0", CultureInfo.InvariantCulture);
}
