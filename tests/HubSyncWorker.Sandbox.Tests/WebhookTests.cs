using System.Net;
using System.Text;
using HubSyncWorker.IntegrationTests.Infrastructure;

namespace HubSyncWorker.Sandbox.Tests;

public sealed class WebhookTests
{
    private const string Secret = "test-client-secret";
    private const long AppId = 777001;

    private static Action<SandboxOptions> Webhooks(WebhookReceiver receiver) => o =>
    {
        o.WebhookTargetUrl = receiver.Url;
        o.WebhookClientSecret = Secret;
        o.AppId = AppId;
        o.WebhookFlushInterval = TimeSpan.FromMilliseconds(20);
        o.WebhookRetryBaseDelay = TimeSpan.FromMilliseconds(20);
    };

    [Fact]
    public async Task UserChange_SendsASignedBatchTheReceiverCanVerifyIndependently()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var session = await SandboxSession.StartAsync(Webhooks(receiver));
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        session.Sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["jobtitle"] = "VP Marketing", ["numemployees"] = "500" }, "userId:42");
        await DrainAsync(session);

        var delivery = Assert.Single(receiver.Received);
        Assert.Equal("POST", delivery.Method);
        Assert.Equal("application/json", delivery.ContentType);
        var expected = SignedWebhook.V3Signature(Secret, delivery.Method, receiver.Url, Encoding.UTF8.GetString(delivery.Body), delivery.Timestamp!);
        Assert.Equal(expected, delivery.Signature);
        Assert.InRange(long.Parse(delivery.Timestamp!), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        var events = delivery.Events;
        Assert.Equal(2, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal("contact.propertyChange", e!["subscriptionType"]!.GetValue<string>());
            Assert.Equal(long.Parse(id), e["objectId"]!.GetValue<long>());
            Assert.Equal("CRM_UI", e["changeSource"]!.GetValue<string>());
            Assert.Equal("userId:42", e["sourceId"]!.GetValue<string>());
            Assert.Equal(AppId, e["appId"]!.GetValue<long>());
            Assert.Equal(0, e["attemptNumber"]!.GetValue<int>());
            Assert.Equal(62515, e["portalId"]!.GetValue<long>());
        });
        Assert.Equal(
            ["jobtitle=VP Marketing", "numemployees=500"],
            events.Select(e => $"{e!["propertyName"]}={e["propertyValue"]}").Order());
        Assert.Equal(2, events.Select(e => e!["eventId"]!.GetValue<long>()).Distinct().Count());
    }

    [Fact]
    public async Task WorkerBatchUpdate_ComesBackAsEchoEventsWithTheAppAsSource()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var session = await SandboxSession.StartAsync(Webhooks(receiver));
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "lead" });

        var result = await session.BatchUpdateAsync(new
        {
            id,
            properties = new Dictionary<string, string> { ["lifecyclestage"] = "marketingqualifiedlead", ["hs_lead_status"] = "OPEN" },
        });
        await DrainAsync(session);

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var events = receiver.AllEvents.ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal("INTEGRATION", e["changeSource"]!.GetValue<string>());
            Assert.Equal(AppId.ToString(), e["sourceId"]!.GetValue<string>());
        });
        Assert.Contains(events, e => e["propertyName"]!.GetValue<string>() == "lifecyclestage"
            && e["propertyValue"]!.GetValue<string>() == "marketingqualifiedlead");
    }

    [Fact]
    public async Task ContactLifecycle_CreationMergeAssociationDeletionAndRestore_EachProduceTheirEvents()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var session = await SandboxSession.StartAsync(Webhooks(receiver));
        var contacts = session.Sandbox.Contacts;
        var user = Contacts.ChangeOrigin.User(9);

        var primary = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "p@example.com" }, user);
        var merged = contacts.AddContact(new Dictionary<string, string?>(), user);
        contacts.Merge(primary, merged);
        contacts.AssociateDeal(primary, 5001);
        contacts.Delete(primary);
        contacts.Restore(primary);
        await DrainAsync(session);

        var events = receiver.AllEvents.ToList();
        var types = events.Select(e => e["subscriptionType"]!.GetValue<string>()).ToList();
        Assert.Equal(2, types.Count(t => t == "contact.creation"));
        Assert.Contains(events, e => e["subscriptionType"]!.GetValue<string>() == "contact.propertyChange" && e["propertyName"]!.GetValue<string>() == "email");
        var merge = events.Single(e => e["subscriptionType"]!.GetValue<string>() == "contact.merge");
        Assert.Equal(long.Parse(primary), merge["primaryObjectId"]!.GetValue<long>());
        Assert.Equal([long.Parse(merged)], merge["mergedObjectIds"]!.AsArray().Select(m => m!.GetValue<long>()));
        var associations = events.Where(e => e["subscriptionType"]!.GetValue<string>() == "contact.associationChange").ToList();
        Assert.Equal(["CONTACT_TO_DEAL", "DEAL_TO_CONTACT"], associations.Select(a => a["associationType"]!.GetValue<string>()).Order());
        Assert.Contains(events, e => e["propertyName"]?.GetValue<string>() == "num_associated_deals" && e["propertyValue"]!.GetValue<string>() == "1");
        Assert.Contains("contact.deletion", types);
        Assert.Contains("contact.restore", types);
    }

    [Fact]
    public async Task FailedDelivery_IsRetriedWithAnIncrementedAttemptNumber()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = call => call <= 2 ? 500 : 200;
        await using var session = await SandboxSession.StartAsync(Webhooks(receiver));
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        session.Sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["jobtitle"] = "CEO" });
        await DrainAsync(session);

        var attempts = receiver.Received.Select(r => r.Events.Single()!["attemptNumber"]!.GetValue<int>()).ToList();
        Assert.Equal([0, 1, 2], attempts);
        Assert.Single(receiver.Received.Select(r => r.Events.Single()!["eventId"]!.GetValue<long>()).Distinct());
        Assert.Equal(1, session.Sandbox.Stats.WebhookEventsDelivered);
        Assert.Equal(2, session.Sandbox.Stats.WebhookRetries);
        Assert.Equal(0, session.Sandbox.Stats.WebhookEventsFailed);
    }

    [Fact]
    public async Task DeliveryThatNeverSucceeds_IsGivenUpAfterTheLastRetry()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = _ => 503;
        await using var session = await SandboxSession.StartAsync(o =>
        {
            Webhooks(receiver)(o);
            o.WebhookMaxRetries = 3;
        });
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        session.Sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["jobtitle"] = "CEO" });
        await DrainAsync(session);

        Assert.Equal(4, receiver.Received.Count);
        Assert.Equal(1, session.Sandbox.Stats.WebhookEventsFailed);
        Assert.Equal(0, session.Sandbox.Stats.WebhookEventsDelivered);
    }

    [Fact]
    public async Task ManyChanges_AreBatchedAtMost100EventsPerDelivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var session = await SandboxSession.StartAsync(Webhooks(receiver));
        var contacts = session.Sandbox.Contacts;
        var ids = Enumerable.Range(0, 250).Select(_ => contacts.AddContact(new Dictionary<string, string?>())).ToList();

        foreach (var id in ids)
        {
            contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["jobtitle"] = "Engineer" });
        }

        await DrainAsync(session);

        Assert.Equal(250, receiver.AllEvents.Count());
        Assert.All(receiver.Received, r => Assert.InRange(r.Events.Count, 1, 100));
        Assert.True(receiver.Received.Count >= 3);
        Assert.Equal(250, session.Sandbox.Stats.WebhookEventsDelivered);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(405)]
    public async Task DeliveryRefusedWith4xx_IsNeverRetriedAndCountedAsRefused(int status)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = _ => status;
        await using var session = await SandboxSession.StartAsync(Webhooks(receiver));
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        session.Sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["jobtitle"] = "CEO", ["phone"] = "1" });
        await DrainAsync(session);

        Assert.Single(receiver.Received);
        Assert.Equal(0, session.Sandbox.Stats.WebhookRetries);
        Assert.Equal(2, session.Sandbox.Stats.WebhookEventsRefused);
        Assert.Equal(2, session.Sandbox.Stats.WebhookEventsRefusedWith(status));
        Assert.Equal(0, session.Sandbox.Stats.WebhookEventsFailed);
        Assert.Equal(0, session.Sandbox.Stats.WebhookEventsDelivered);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(502)]
    public async Task DeliveryAnswered429Or5xx_IsRetried(int status)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = call => call == 1 ? status : 200;
        await using var session = await SandboxSession.StartAsync(Webhooks(receiver));
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        session.Sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["jobtitle"] = "CEO" });
        await DrainAsync(session);

        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(1, session.Sandbox.Stats.WebhookEventsDelivered);
        Assert.Equal(0, session.Sandbox.Stats.WebhookEventsRefused);
    }

    [Fact]
    public async Task DeliveryAnsweredTooLate_IsRetried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Hold = (call, aborted) => call == 1 ? Task.Delay(Timeout.InfiniteTimeSpan, aborted) : Task.CompletedTask;
        await using var session = await SandboxSession.StartAsync(o =>
        {
            Webhooks(receiver)(o);
            o.WebhookTimeout = TimeSpan.FromMilliseconds(200);
        });
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        session.Sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["jobtitle"] = "CEO" });
        await DrainAsync(session);

        Assert.Equal([0, 1], receiver.Received.Select(r => r.Events.Single()!["attemptNumber"]!.GetValue<int>()).Order());
        Assert.Equal(1, session.Sandbox.Stats.WebhookEventsDelivered);
    }

    [Fact]
    public async Task ManyBatchesAtOnce_AtMostTenDeliveriesAreInFlight()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Hold = (_, aborted) => release.Task.WaitAsync(aborted);
        await using var session = await SandboxSession.StartAsync(o =>
        {
            Webhooks(receiver)(o);
            o.WebhookTimeout = TimeSpan.FromSeconds(30);
        });
        var contacts = session.Sandbox.Contacts;
        var ids = Enumerable.Range(0, 1_500).Select(_ => contacts.AddContact(new Dictionary<string, string?>())).ToList();

        foreach (var id in ids)
        {
            contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["jobtitle"] = "Engineer" });
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (receiver.InFlight < 10)
        {
            await Task.Delay(10, deadline.Token);
        }

        release.SetResult();
        await DrainAsync(session);

        Assert.Equal(10, receiver.MaxInFlight);
        Assert.Equal(1_500, session.Sandbox.Stats.WebhookEventsDelivered);
    }

    [Fact]
    public async Task GenericFormat_PropertyChangeCreationMergeAndRestore_AreObjectEventsOfTypeContact()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var session = await SandboxSession.StartAsync(o =>
        {
            Webhooks(receiver)(o);
            o.WebhookFormat = SandboxWebhookFormat.Generic;
        });
        var contacts = session.Sandbox.Contacts;
        var user = Contacts.ChangeOrigin.User(9);
        var primary = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "p@example.com" }, user);
        var merged = contacts.AddContact(new Dictionary<string, string?>(), user);

        contacts.UpdateAsUser(primary, new Dictionary<string, string?> { ["jobtitle"] = "CEO" }, "userId:42");
        contacts.Merge(primary, merged);
        contacts.Delete(primary);
        contacts.Restore(primary);
        await DrainAsync(session);

        var events = receiver.AllEvents.ToList();
        Assert.Equal(
            ["object.creation", "object.creation", "object.deletion", "object.merge", "object.propertyChange", "object.propertyChange", "object.restore"],
            events.Select(e => e["subscriptionType"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(events, e =>
        {
            Assert.Equal("0-1", e["objectTypeId"]!.GetValue<string>());
            Assert.False(e["isSensitive"]!.GetValue<bool>());
        });
        var change = events.Single(e => e["propertyName"]?.GetValue<string>() == "jobtitle");
        Assert.Equal("CEO", change["propertyValue"]!.GetValue<string>());
        Assert.Equal(long.Parse(primary), change["objectId"]!.GetValue<long>());
        Assert.Equal("userId:42", change["sourceId"]!.GetValue<string>());
        var merge = events.Single(e => e["subscriptionType"]!.GetValue<string>() == "object.merge");
        Assert.Equal(long.Parse(primary), merge["primaryObjectId"]!.GetValue<long>());
        Assert.Equal([long.Parse(merged)], merge["mergedObjectIds"]!.AsArray().Select(m => m!.GetValue<long>()));
        Assert.Equal(long.Parse(primary), merge["newObjectId"]!.GetValue<long>());
    }

    [Fact]
    public async Task GenericFormat_AssociationChange_FiresOncePerDirectionWithTypeIds()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var session = await SandboxSession.StartAsync(o =>
        {
            Webhooks(receiver)(o);
            o.WebhookFormat = SandboxWebhookFormat.Generic;
        });
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        session.Sandbox.Contacts.AssociateDeal(id, 5001);
        await DrainAsync(session);

        var associations = receiver.AllEvents.Where(e => e["subscriptionType"]!.GetValue<string>() == "object.associationChange").ToList();
        Assert.Equal(2, associations.Count);
        var toDeal = associations.Single(a => a["fromObjectTypeId"]!.GetValue<string>() == "0-1");
        Assert.Equal("0-3", toDeal["toObjectTypeId"]!.GetValue<string>());
        Assert.Equal(4, toDeal["associationTypeId"]!.GetValue<int>());
        Assert.Equal(long.Parse(id), toDeal["fromObjectId"]!.GetValue<long>());
        Assert.Equal(5001, toDeal["toObjectId"]!.GetValue<long>());
        var toContact = associations.Single(a => a["fromObjectTypeId"]!.GetValue<string>() == "0-3");
        Assert.Equal("0-1", toContact["toObjectTypeId"]!.GetValue<string>());
        Assert.Equal(3, toContact["associationTypeId"]!.GetValue<int>());
        Assert.All(associations, a =>
        {
            Assert.Equal("HUBSPOT_DEFINED", a["associationCategory"]!.GetValue<string>());
            Assert.False(a["associationRemoved"]!.GetValue<bool>());
        });
        Assert.Contains(receiver.AllEvents, e => e["subscriptionType"]!.GetValue<string>() == "object.propertyChange"
            && e["propertyName"]!.GetValue<string>() == "num_associated_deals" && e["objectTypeId"]!.GetValue<string>() == "0-1");
    }

    [Fact]
    public async Task GenericFormat_PrivacyDeletion_StaysAContactHubEvent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var session = await SandboxSession.StartAsync(o =>
        {
            Webhooks(receiver)(o);
            o.WebhookFormat = SandboxWebhookFormat.Generic;
        });
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        session.Sandbox.Contacts.PrivacyDelete(id);
        await DrainAsync(session);

        var deletion = Assert.Single(receiver.AllEvents);
        Assert.Equal("contact.privacyDeletion", deletion["subscriptionType"]!.GetValue<string>());
        Assert.Null(deletion["objectTypeId"]);
    }

    [Fact]
    public async Task DefaultFormat_IsLegacyWithoutObjectTypeId()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var session = await SandboxSession.StartAsync(Webhooks(receiver));
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        session.Sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["jobtitle"] = "CEO" });
        await DrainAsync(session);

        var change = Assert.Single(receiver.AllEvents);
        Assert.Equal(SandboxWebhookFormat.Legacy, new SandboxOptions().WebhookFormat);
        Assert.Equal("contact.propertyChange", change["subscriptionType"]!.GetValue<string>());
        Assert.Null(change["objectTypeId"]);
    }

    private static async Task DrainAsync(SandboxSession session)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await session.Sandbox.WaitForWebhooksDrainedAsync(deadline.Token);
    }
}
