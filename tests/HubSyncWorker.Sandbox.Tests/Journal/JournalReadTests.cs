using System.Net;
using System.Text.Json.Nodes;
using HubSyncWorker.Sandbox.Contacts;

namespace HubSyncWorker.Sandbox.Tests.Journal;

/// <summary>What the journal holds and how it is read: events, offsets, batches, pre-signed files, retention.</summary>
public sealed class JournalReadTests
{
    private static Dictionary<string, string?> Values(params (string Name, string? Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    [Fact]
    public async Task Journal_EveryContactChangeKind_AppearsWithItsFields()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();
        await session.SubscribeAllAsync("lifecyclestage", "email");
        var contacts = session.Sandbox.Contacts;

        var id = contacts.AddContact(Values(("email", "a@example.com"), ("firstname", "Ann")), ChangeOrigin.User());
        var other = contacts.AddContact(Values(("email", "b@example.com")), ChangeOrigin.User());
        contacts.UpdateAsUser(id, Values(("lifecyclestage", "lead"), ("firstname", "Anna")));
        contacts.UpdateAsUser(id, Values(("firstname", "Annie")));
        contacts.Delete(other);
        contacts.Restore(other);
        contacts.AssociateDeal(id, 901);
        contacts.Merge(id, other);
        contacts.PrivacyDelete(id);
        var events = await session.ReadAllEventsAsync();

        Assert.Equal(
            ["CREATE", "CREATE", "UPDATE", "DELETE", "RESTORE", "ASSOCIATION_ADDED", "MERGE", "GDPR_DELETE"],
            events.Select(e => e["action"]!.GetValue<string>()));
        Assert.All(events, e =>
        {
            Assert.Equal("0-1", e["objectTypeId"]!.GetValue<string>());
            Assert.Equal(session.Sandbox.Options.PortalId, e["portalId"]!.GetValue<long>());
            Assert.True(DateTimeOffset.TryParse(e["occurredAt"]!.GetValue<string>(), out _));
        });
        var created = events[0]!;
        Assert.Equal(long.Parse(id), created["objectId"]!.GetValue<long>());
        Assert.Equal(JsonNode.Parse("""{"email":"a@example.com"}"""), created["propertyChanges"], JsonNode.DeepEquals);
        Assert.Equal(JsonNode.Parse("""{"lifecyclestage":"lead"}"""), events[2]!["propertyChanges"], JsonNode.DeepEquals);
        Assert.Equal(long.Parse(other), events[3]!["objectId"]!.GetValue<long>());
        Assert.Equal("0-3", events[5]!["associatedObjectTypeId"]!.GetValue<string>());
        Assert.Equal(901, events[5]!["associatedObjectId"]!.GetValue<long>());
        Assert.Equal(long.Parse(id), events[6]!["primaryObjectId"]!.GetValue<long>());
        Assert.Equal([long.Parse(other)], events[6]!["mergedObjectIds"]!.AsArray().Select(m => m!.GetValue<long>()));
        Assert.Equal(long.Parse(id), events[7]!["objectId"]!.GetValue<long>());
        Assert.Equal(8, session.Sandbox.Journal.EventCount);
    }

    [Fact]
    public async Task Journal_WithoutSubscriptionsOrFromSeeding_RecordsNothing()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();

        session.Sandbox.Contacts.AddContact(Values(("email", "a@example.com")), ChangeOrigin.User());
        await session.SubscribeAllAsync("email");
        session.Sandbox.Contacts.AddContact(Values(("email", "b@example.com")));

        Assert.Equal(0, session.Sandbox.Journal.Count);
        Assert.Null(session.Sandbox.Journal.LatestOffset);
        Assert.Equal(HttpStatusCode.NoContent, (await session.GetAsync(JournalSession.Local + "/earliest")).Status);
    }

    [Fact]
    public async Task Next_FromEachOffset_WalksEntriesInOrderThenAnswers204()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();
        await session.SubscribeAllAsync("email");
        for (var i = 0; i < 3; i++)
        {
            session.Sandbox.Contacts.AddContact(Values(("email", $"c{i}@example.com")), ChangeOrigin.User());
        }

        var earliest = await session.GetAsync(JournalSession.Local + "/earliest");
        var offsets = new List<string> { earliest.Json["currentOffset"]!.GetValue<string>() };
        ApiResult next;
        while ((next = await session.GetAsync($"{JournalSession.Local}/offset/{offsets[^1]}/next")).Status == HttpStatusCode.OK)
        {
            offsets.Add(next.Json["currentOffset"]!.GetValue<string>());
        }

        var latest = await session.GetAsync(JournalSession.Local + "/latest");

        Assert.Equal(HttpStatusCode.NoContent, next.Status);
        Assert.Equal(3, offsets.Count);
        Assert.Equal(offsets.Order(StringComparer.Ordinal), offsets);
        Assert.Equal(offsets.Distinct(), offsets);
        Assert.All(offsets, o => Assert.True(Guid.TryParse(o, out _)));
        Assert.Equal(offsets[^1], latest.Json["currentOffset"]!.GetValue<string>());
        Assert.Equal(session.Sandbox.Journal.LatestOffset, offsets[^1]);
        Assert.True(DateTimeOffset.Parse(earliest.Json["expiresAt"]!.GetValue<string>()) > session.Clock.GetUtcNow());
    }

    [Fact]
    public async Task BatchNext_WithCount_AnswersAtMostCountThenAnEmptyBatch()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();
        await session.SubscribeAllAsync("email");
        for (var i = 0; i < 5; i++)
        {
            session.Sandbox.Contacts.AddContact(Values(("email", $"c{i}@example.com")), ChangeOrigin.User());
        }

        var first = (await session.GetAsync(JournalSession.Local + "/earliest")).Json["currentOffset"]!.GetValue<string>();

        var two = await session.GetAsync($"{JournalSession.Local}/batch/{first}/next/2");
        var rest = await session.GetAsync($"{JournalSession.Local}/batch/{two.Results[^1]!["currentOffset"]!.GetValue<string>()}/next/100");
        var none = await session.GetAsync($"{JournalSession.Local}/batch/{session.Sandbox.Journal.LatestOffset}/next/100");
        var zero = await session.GetAsync($"{JournalSession.Local}/batch/{first}/next/0");
        var latestTwo = await session.GetAsync(JournalSession.Local + "/batch/latest/2");

        Assert.Equal(2, two.Results.Count);
        Assert.Equal("COMPLETE", two.Json["status"]!.GetValue<string>());
        Assert.Equal(2, rest.Results.Count);
        Assert.Equal(session.Sandbox.Journal.LatestOffset, rest.Results[^1]!["currentOffset"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, none.Status);
        Assert.Empty(none.Results);
        Assert.Equal(HttpStatusCode.BadRequest, zero.Status);
        Assert.Equal(rest.Results.Select(r => r!["currentOffset"]!.GetValue<string>()), latestTwo.Results.Select(r => r!["currentOffset"]!.GetValue<string>()));
    }

    [Fact]
    public async Task File_WithoutAuthorization_IsServedAndTamperedOrStaleUrlsAreRefused()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();
        await session.SubscribeAllAsync("email");
        session.Sandbox.Contacts.AddContact(Values(("email", "a@example.com")), ChangeOrigin.User());
        var url = (await session.GetAsync(JournalSession.Local + "/earliest")).Json["url"]!.GetValue<string>();
        var signature = url[(url.IndexOf("signature=", StringComparison.Ordinal) + 10)..];
        var tampered = url.Replace(signature, (signature[0] == 'a' ? "b" : "a") + signature[1..], StringComparison.Ordinal);
        var otherExpiry = url.Replace("expires=", "expires=9", StringComparison.Ordinal);

        var served = await JournalSession.DownloadAsync(url);
        var refused = await JournalSession.DownloadAsync(tampered);
        var extended = await JournalSession.DownloadAsync(otherExpiry);
        session.Clock.Advance(session.Sandbox.Options.Journal.FileUrlLifetime);
        var stale = await JournalSession.DownloadAsync(url);

        Assert.Equal(HttpStatusCode.OK, served.Status);
        Assert.Equal("CREATE", JsonNode.Parse(served.Body)!["journalEvents"]![0]!["action"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("SignatureDoesNotMatch", refused.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, extended.Status);
        Assert.Equal(HttpStatusCode.Forbidden, stale.Status);
        Assert.Contains("Request has expired", stale.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Next_FromAnOffsetOlderThanRetention_Returns404()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();
        await session.SubscribeAllAsync("email");
        session.Sandbox.Contacts.AddContact(Values(("email", "a@example.com")), ChangeOrigin.User());
        var old = session.Sandbox.Journal.LatestOffset!;
        session.Clock.Advance(TimeSpan.FromDays(2));
        session.Sandbox.Contacts.AddContact(Values(("email", "b@example.com")), ChangeOrigin.User());
        await session.AuthenticateAsync();

        var withinRetention = await session.GetAsync($"{JournalSession.Local}/offset/{old}/next");
        session.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        await session.AuthenticateAsync();
        var expired = await session.GetAsync($"{JournalSession.Local}/offset/{old}/next");
        var expiredBatch = await session.GetAsync($"{JournalSession.Local}/batch/{old}/next/10");
        var neverIssued = await session.GetAsync($"{JournalSession.Local}/offset/{Guid.NewGuid()}/next");

        Assert.Equal(HttpStatusCode.OK, withinRetention.Status);
        Assert.Equal(HttpStatusCode.NotFound, expired.Status);
        Assert.Contains("has expired or doesn't exist", expired.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, expiredBatch.Status);
        Assert.Equal(HttpStatusCode.NotFound, neverIssued.Status);
        Assert.Equal(1, session.Sandbox.Journal.Count);
        Assert.NotEqual(old, session.Sandbox.Journal.EarliestOffset);
    }

    [Fact]
    public async Task Journal_ConfiguredRetention_ForgetsAfterIt()
    {
        await using var session = await JournalSession.StartAsync(o => o.Journal.Retention = TimeSpan.FromHours(1));
        await session.AuthenticateAsync();
        await session.SubscribeAllAsync("email");
        session.Sandbox.Contacts.AddContact(Values(("email", "a@example.com")), ChangeOrigin.User());

        session.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(0, session.Sandbox.Journal.Count);
        Assert.Null(session.Sandbox.Journal.EarliestOffset);
        Assert.NotNull(session.Sandbox.Journal.LatestOffset);
    }

    [Fact]
    public async Task Update_OfAnUnsubscribedPropertyOnly_IsNotJournaled()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();
        var id = session.Sandbox.Contacts.AddContact(Values(("email", "a@example.com")));
        await session.SubscribeAllAsync("lifecyclestage");

        session.Sandbox.Contacts.UpdateAsUser(id, Values(("firstname", "Ann")));
        session.Sandbox.Contacts.UpdateAsUser(id, Values(("lifecyclestage", "lead")));
        var events = await session.ReadAllEventsAsync();

        var update = Assert.Single(events);
        Assert.Equal("UPDATE", update["action"]!.GetValue<string>());
        Assert.Equal("CRM_UI", update["changeSource"]!.GetValue<string>());
    }
}
