using System.Net;
using System.Text.Json.Nodes;
using HubSyncWorker.Sandbox.Contacts;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.Sandbox.Tests;

/// <summary>
/// HubSpot's lifecycle stage dates (<c>hs_v2_date_entered_&lt;stage&gt;</c>, <c>hs_v2_date_exited_&lt;stage&gt;</c>) and imports that carry
/// their past (<see cref="SeedContact.CreatedAt"/>, <see cref="SeedContact.LaterTimestamps"/>), read through the HTTP API as the worker reads them.
/// </summary>
public sealed class StageDateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static readonly string[] StageDates =
    [
        "hs_v2_date_entered_subscriber", "hs_v2_date_entered_lead", "hs_v2_date_entered_marketingqualifiedlead",
        "hs_v2_date_entered_salesqualifiedlead", "hs_v2_date_entered_opportunity", "hs_v2_date_exited_lead", "hs_v2_date_exited_salesqualifiedlead",
    ];

    [Fact]
    public async Task AddContacts_LifecycleHistoryWithTimestamps_StageDatesAndNewestFirstHistoryThroughBatchRead()
    {
        await using var session = await StartAsync();
        var created = Now.AddDays(-200);
        var id = session.Sandbox.Contacts.AddContacts([LifecyclePath(created, ("lead", -150), ("marketingqualifiedlead", -100), ("salesqualifiedlead", -20))])[0];

        var result = await session.PostAsync("/crm/objects/2026-03/contacts/batch/read", new
        {
            properties = StageDates.Append("lifecyclestage").ToArray(),
            propertiesWithHistory = new[] { "lifecyclestage", "hs_v2_date_entered_marketingqualifiedlead" },
            inputs = new[] { new { id } },
        });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var record = result.Results.Single()!;
        var properties = record["properties"]!;
        Assert.Equal(Iso(created), Text(properties, "createdate"));
        Assert.Equal(Iso(Now.AddDays(-20)), Text(properties, "lastmodifieddate"));
        Assert.Equal(Iso(created), Text(properties, "hs_v2_date_entered_subscriber"));
        Assert.Equal(Iso(Now.AddDays(-150)), Text(properties, "hs_v2_date_entered_lead"));
        Assert.Equal(Iso(Now.AddDays(-100)), Text(properties, "hs_v2_date_entered_marketingqualifiedlead"));
        Assert.Equal(Iso(Now.AddDays(-100)), Text(properties, "hs_v2_date_exited_lead"));
        Assert.Equal(Iso(Now.AddDays(-20)), Text(properties, "hs_v2_date_entered_salesqualifiedlead"));
        Assert.Null(properties["hs_v2_date_entered_opportunity"]);
        Assert.Null(properties["hs_v2_date_exited_salesqualifiedlead"]);
        Assert.Equal(Iso(created), record["createdAt"]!.GetValue<string>());

        var history = record["propertiesWithHistory"]!["lifecyclestage"]!.AsArray();
        Assert.Equal(["salesqualifiedlead", "marketingqualifiedlead", "lead", "subscriber"], history.Select(v => Text(v!, "value")));
        Assert.Equal([Iso(Now.AddDays(-20)), Iso(Now.AddDays(-100)), Iso(Now.AddDays(-150)), Iso(created)], history.Select(v => Text(v!, "timestamp")));
        var entered = record["propertiesWithHistory"]!["hs_v2_date_entered_marketingqualifiedlead"]!.AsArray().Single()!;
        Assert.Equal(Iso(Now.AddDays(-100)), Text(entered, "value"));
        Assert.Equal("CALCULATED", Text(entered, "sourceType"));
    }

    [Fact]
    public async Task AddContacts_WithoutTimestamps_EveryVersionAtTheImportMoment()
    {
        await using var session = await StartAsync();
        var contacts = session.Sandbox.Contacts;
        var id = contacts.AddContacts([new SeedContact(Values(("lifecyclestage", "lead")), [Values(("lifecyclestage", "marketingqualifiedlead"))])])[0];

        var contact = contacts.GetContact(id)!;
        Assert.Equal(Now, contact.CreatedAt);
        Assert.Equal(Now, contact.UpdatedAt);
        Assert.Equal(Iso(Now), contact.Properties["hs_v2_date_entered_marketingqualifiedlead"]);
        Assert.All(contacts.GetHistory(id, "lifecyclestage"), v => Assert.Equal(Now, v.Timestamp));
    }

    [Theory]
    [InlineData(-10, -20)] // out of order
    [InlineData(-300, -20)] // before the creation
    [InlineData(-10, 5)] // after the import
    public async Task AddContacts_TimestampsOutOfOrder_ThrowsAndImportsNothing(int firstDays, int secondDays)
    {
        await using var session = await StartAsync();
        var contacts = session.Sandbox.Contacts;
        var seed = LifecyclePath(Now.AddDays(-200), ("lead", firstDays), ("marketingqualifiedlead", secondDays));

        Assert.Throws<ArgumentException>(() => contacts.AddContacts([seed]));
        Assert.Equal(0, contacts.Count);
    }

    [Fact]
    public async Task AddContact_WithAStageDate_ThrowsBecauseOnlyTheStoreSetsIt()
    {
        await using var session = await StartAsync();

        Assert.Throws<ArgumentException>(() => session.Sandbox.Contacts.AddContact(Values(("hs_v2_date_entered_lead", Iso(Now)))));
    }

    [Fact]
    public async Task BatchUpdate_IntegrationMovesLifecycleStage_SetsEntryAndExitDatesAndLeavesSkippedStagesUnset()
    {
        var time = new FakeTimeProvider(Now);
        await using var session = await StartAsync(time);
        var id = session.Sandbox.Contacts.AddContact(Values(("lifecyclestage", "lead")));
        time.Advance(TimeSpan.FromHours(5));

        var result = await session.BatchUpdateAsync("2026-03", new { id, properties = new Dictionary<string, string> { ["lifecyclestage"] = "opportunity" } });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var contact = session.Sandbox.Contacts.GetContact(id)!;
        Assert.Equal(Iso(Now), contact.Properties["hs_v2_date_entered_lead"]);
        Assert.Equal(Iso(time.GetUtcNow()), contact.Properties["hs_v2_date_exited_lead"]);
        Assert.Equal(Iso(time.GetUtcNow()), contact.Properties["hs_v2_date_entered_opportunity"]);
        Assert.False(contact.Properties.ContainsKey("hs_v2_date_entered_marketingqualifiedlead"));
        Assert.False(contact.Properties.ContainsKey("hs_v2_date_entered_salesqualifiedlead"));
    }

    [Fact]
    public async Task BatchUpdate_EarlierLifecycleStageIgnored_LeavesTheStageDatesAlone()
    {
        var time = new FakeTimeProvider(Now);
        await using var session = await StartAsync(time);
        var id = session.Sandbox.Contacts.AddContact(Values(("lifecyclestage", "salesqualifiedlead")));
        time.Advance(TimeSpan.FromHours(1));

        await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["lifecyclestage"] = "lead" } });

        var contact = session.Sandbox.Contacts.GetContact(id)!;
        Assert.Equal("salesqualifiedlead", contact.Properties["lifecyclestage"]);
        Assert.False(contact.Properties.ContainsKey("hs_v2_date_entered_lead"));
        Assert.False(contact.Properties.ContainsKey("hs_v2_date_exited_salesqualifiedlead"));
    }

    [Fact]
    public async Task UpdateAsUser_StageReEntered_DateEnteredHoldsTheLatestEntry()
    {
        var time = new FakeTimeProvider(Now);
        await using var session = await StartAsync(time);
        var contacts = session.Sandbox.Contacts;
        var id = contacts.AddContact(Values(("lifecyclestage", "marketingqualifiedlead")));
        time.Advance(TimeSpan.FromDays(1));
        contacts.UpdateAsUser(id, Values(("lifecyclestage", "lead")));
        var leftAgain = time.GetUtcNow();
        time.Advance(TimeSpan.FromDays(1));
        contacts.UpdateAsUser(id, Values(("lifecyclestage", "marketingqualifiedlead")));

        var contact = contacts.GetContact(id)!;
        Assert.Equal(Iso(time.GetUtcNow()), contact.Properties["hs_v2_date_entered_marketingqualifiedlead"]);
        Assert.Equal(Iso(leftAgain), contact.Properties["hs_v2_date_exited_marketingqualifiedlead"]);
        Assert.Equal(
            [Iso(time.GetUtcNow()), Iso(Now)],
            contacts.GetHistory(id, "hs_v2_date_entered_marketingqualifiedlead").Select(v => v.Value));
    }

    [Fact]
    public async Task UpdateAsUser_LifecycleStageCleared_SetsTheExitDateOnly()
    {
        var time = new FakeTimeProvider(Now);
        await using var session = await StartAsync(time);
        var contacts = session.Sandbox.Contacts;
        var id = contacts.AddContact(Values(("lifecyclestage", "customer")));
        time.Advance(TimeSpan.FromDays(3));

        contacts.UpdateAsUser(id, Values(("lifecyclestage", "")));

        var contact = contacts.GetContact(id)!;
        Assert.Equal(Iso(time.GetUtcNow()), contact.Properties["hs_v2_date_exited_customer"]);
        Assert.Equal(Iso(Now), contact.Properties["hs_v2_date_entered_customer"]);
    }

    [Fact]
    public async Task Merge_PrimaryGainsTheStage_EntersItAtTheMergeAndKeepsNoneOfTheMergedContactsDates()
    {
        var time = new FakeTimeProvider(Now);
        await using var session = await StartAsync(time);
        var contacts = session.Sandbox.Contacts;
        var primary = contacts.AddContact(Values(("email", "p@acme.io")));
        var merged = contacts.AddContacts([LifecyclePath(Now.AddDays(-30), ("marketingqualifiedlead", -10))])[0];
        time.Advance(TimeSpan.FromHours(2));

        Assert.True(contacts.Merge(primary, merged));

        var contact = contacts.GetContact(primary)!;
        Assert.Equal("marketingqualifiedlead", contact.Properties["lifecyclestage"]);
        Assert.Equal(Iso(time.GetUtcNow()), contact.Properties["hs_v2_date_entered_marketingqualifiedlead"]);
        Assert.False(contact.Properties.ContainsKey("hs_v2_date_entered_subscriber"));
        Assert.False(contact.Properties.ContainsKey("hs_v2_date_exited_subscriber"));
    }

    [Fact]
    public async Task BatchUpdate_WriteToDateEntered_RefusedAsReadOnlyValue()
    {
        await using var session = await StartAsync();
        var id = session.Sandbox.Contacts.AddContact(Values(("lifecyclestage", "lead")));

        var result = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["hs_v2_date_entered_lead"] = "2026-01-01T00:00:00.000Z" }, objectWriteTraceId = "t-1" });

        Assert.Equal(HttpStatusCode.MultiStatus, result.Status);
        var error = result.Json["errors"]!.AsArray().Single()!;
        Assert.Equal("VALIDATION_ERROR", Text(error, "category"));
        Assert.Equal("READ_ONLY_VALUE", Text(error["errors"]![0]!, "code"));
        Assert.Equal("hs_v2_date_entered_lead", error["errors"]![0]!["context"]!["propertyName"]![0]!.GetValue<string>());
        Assert.Equal("t-1", error["context"]!["objectWriteTraceId"]![0]!.GetValue<string>());
        Assert.Equal(Iso(Now), session.Sandbox.Contacts.GetContact(id)!.Properties["hs_v2_date_entered_lead"]);
    }

    [Fact]
    public async Task UpdateAsUser_WriteToDateEntered_Throws()
    {
        await using var session = await StartAsync();
        var id = session.Sandbox.Contacts.AddContact(Values(("lifecyclestage", "lead")));

        Assert.Throws<ArgumentException>(() => session.Sandbox.Contacts.UpdateAsUser(id, Values(("hs_v2_date_entered_lead", Iso(Now.AddDays(-1))))));
    }

    [Fact]
    public async Task Search_DateEnteredFilters_CompareAsDatetimes()
    {
        await using var session = await StartAsync();
        var contacts = session.Sandbox.Contacts;
        var ids = contacts.AddContacts(
        [
            LifecyclePath(Now.AddDays(-90), ("marketingqualifiedlead", -60)),
            LifecyclePath(Now.AddDays(-90), ("marketingqualifiedlead", -10)),
            LifecyclePath(Now.AddDays(-90), ("lead", -10)),
        ]);

        var since = await session.SearchAsync(Filter("hs_v2_date_entered_marketingqualifiedlead", "GTE", Now.AddDays(-30).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var any = await session.SearchAsync(Filter("hs_v2_date_entered_marketingqualifiedlead", "HAS_PROPERTY", null));

        Assert.Equal([ids[1]], since.Results.Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal([ids[0], ids[1]], any.Results.Select(r => r!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Properties_StageDates_DatetimeReadOnlyCalculatedAndAddedForACustomStage()
    {
        await using var session = await StartAsync();

        var entered = await session.GetAsync("/crm/properties/2026-03/contacts/hs_v2_date_entered_marketingqualifiedlead");
        var patched = await session.SendAsync(HttpMethod.Patch, "/crm/properties/2026-03/contacts/lifecyclestage", """
            {"options":[{"label":"Lead","value":"lead","displayOrder":0},{"label":"Product qualified","value":"productqualifiedlead","displayOrder":1},
                        {"label":"Customer","value":"customer","displayOrder":2}]}
            """);
        var custom = await session.GetAsync("/crm/properties/2026-03/contacts/hs_v2_date_entered_productqualifiedlead");

        Assert.Equal(HttpStatusCode.OK, entered.Status);
        Assert.Equal("datetime", Text(entered.Json, "type"));
        Assert.True(entered.Json["calculated"]!.GetValue<bool>());
        Assert.True(entered.Json["modificationMetadata"]!["readOnlyValue"]!.GetValue<bool>());
        Assert.True(entered.Json["hubspotDefined"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal(HttpStatusCode.OK, custom.Status);
        var id = session.Sandbox.Contacts.AddContact(Values(("lifecyclestage", "productqualifiedlead")));
        Assert.Equal(Iso(Now), session.Sandbox.Contacts.GetContact(id)!.Properties["hs_v2_date_entered_productqualifiedlead"]);
    }

    private static Task<SandboxSession> StartAsync(FakeTimeProvider? time = null) => SandboxSession.StartAsync(o =>
    {
        o.TimeProvider = time ?? new FakeTimeProvider(Now);
        o.SearchIndexLag = TimeSpan.Zero;
    });

    /// <summary>A contact created as a subscriber at <paramref name="created"/>, then moved to each stage the given number of days from <see cref="Now"/>.</summary>
    private static SeedContact LifecyclePath(DateTimeOffset created, params (string Stage, int Days)[] moves) =>
        new(Values(("email", $"c{created.Ticks}@acme.io"), ("lifecyclestage", "subscriber")), [.. moves.Select(m => Values(("lifecyclestage", m.Stage)))])
        {
            CreatedAt = created,
            LaterTimestamps = [.. moves.Select(m => Now.AddDays(m.Days))],
        };

    private static object Filter(string property, string op, string? value) => new
    {
        filterGroups = new[] { new { filters = new[] { new { propertyName = property, @operator = op, value } } } },
        properties = new[] { property },
        limit = 100,
    };

    private static Dictionary<string, string?> Values(params (string Name, string Value)[] values) =>
        values.ToDictionary(v => v.Name, v => (string?)v.Value, StringComparer.Ordinal);

    private static string? Text(JsonNode node, string name) => node[name]?.GetValue<string>();

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
