using HubSyncWorker.Webhooks;

namespace HubSyncWorker.UnitTests.Webhooks;

public sealed class WebhookEventTriageTests
{
    private const string OwnAppId = "987654";

    private readonly WebhookEventTriage _triage = new(new PropertyFilter(), [OwnAppId]);

    [Theory]
    [InlineData("contact.creation")]
    [InlineData("contact.restore")]
    public void Triage_CreationOrRestore_EvaluatesTheContact(string type)
    {
        var result = _triage.Triage(Event(type) with { ObjectId = 501 });

        Assert.Equal(WebhookEventDisposition.Evaluate, result.Disposition);
        Assert.Equal(["501"], result.ContactIds);
    }

    [Fact]
    public void Triage_ChangeOfAWatchedProperty_EvaluatesTheContact()
    {
        var result = _triage.Triage(Event("contact.propertyChange") with { ObjectId = 7, PropertyName = "jobtitle", SourceId = "userId:12" });

        Assert.Equal(WebhookEventDisposition.Evaluate, result.Disposition);
        Assert.Equal(["7"], result.ContactIds);
    }

    [Fact]
    public void Triage_ChangeOfAPropertyThePolicyDoesNotRead_IsIgnored()
    {
        var result = _triage.Triage(Event("contact.propertyChange") with { ObjectId = 7, PropertyName = "favourite_colour" });

        Assert.Equal(WebhookEventDisposition.IgnoredUnwatchedProperty, result.Disposition);
        Assert.Empty(result.ContactIds);
    }

    [Theory]
    [InlineData(OwnAppId)]
    [InlineData("app:" + OwnAppId)]
    public void Triage_ChangeMadeByTheWorkersOwnApp_IsAnEcho(string sourceId)
    {
        var result = _triage.Triage(Event("contact.propertyChange") with { ObjectId = 7, PropertyName = "lifecyclestage", SourceId = sourceId });

        Assert.Equal(WebhookEventDisposition.IgnoredEcho, result.Disposition);
    }

    [Fact]
    public void Triage_ChangeByAnAppWhoseIdMerelyEndsTheSame_IsNotAnEcho()
    {
        var result = _triage.Triage(Event("contact.propertyChange") with { ObjectId = 7, PropertyName = "lifecyclestage", SourceId = "1" + OwnAppId });

        Assert.Equal(WebhookEventDisposition.Evaluate, result.Disposition);
    }

    [Fact]
    public void Triage_ChangeOfAnOutputProperty_IsAnEchoWhateverTheSource()
    {
        var result = _triage.Triage(Event("contact.propertyChange") with { ObjectId = 7, PropertyName = "hubsync_status", SourceId = "userId:5" });

        Assert.Equal(WebhookEventDisposition.IgnoredEcho, result.Disposition);
    }

    [Theory]
    [InlineData("contact.deletion")]
    [InlineData("contact.privacyDeletion")]
    public void Triage_Deletion_ForgetsTheContact(string type)
    {
        var result = _triage.Triage(Event(type) with { ObjectId = 33 });

        Assert.Equal(WebhookEventDisposition.Forget, result.Disposition);
        Assert.Equal(["33"], result.ContactIds);
    }

    [Fact]
    public void Triage_Merge_EvaluatesTheSurvivorAndListsTheMergedAwayIds()
    {
        var result = _triage.Triage(Event("contact.merge") with { ObjectId = 10, PrimaryObjectId = 10, MergedObjectIds = [10, 11, 12], NewObjectId = 10 });

        Assert.Equal(WebhookEventDisposition.Evaluate, result.Disposition);
        Assert.Equal(["10", "11", "12"], result.ContactIds);
    }

    [Theory]
    [InlineData("CONTACT_TO_DEAL", 40, 900, "40")]
    [InlineData("DEAL_TO_CONTACT", 900, 40, "40")]
    public void Triage_DealAssociationChange_EvaluatesTheContactSide(string associationType, long from, long to, string expected)
    {
        var result = _triage.Triage(Event("contact.associationChange") with { AssociationType = associationType, FromObjectId = from, ToObjectId = to });

        Assert.Equal(WebhookEventDisposition.Evaluate, result.Disposition);
        Assert.Equal([expected], result.ContactIds);
    }

    [Fact]
    public void Triage_CompanyAssociationChange_IsIrrelevant()
    {
        var result = _triage.Triage(Event("contact.associationChange") with { AssociationType = "CONTACT_TO_COMPANY", FromObjectId = 40, ToObjectId = 5 });

        Assert.Equal(WebhookEventDisposition.IgnoredIrrelevant, result.Disposition);
    }

    [Theory]
    [InlineData("deal.creation")]
    [InlineData("contact.somethingNew")]
    [InlineData(null)]
    public void Triage_UnknownSubscriptionType_IsIgnoredNotAnError(string? type)
    {
        var result = _triage.Triage(Event(type) with { ObjectId = 1 });

        Assert.Equal(WebhookEventDisposition.IgnoredUnknownType, result.Disposition);
    }

    [Fact]
    public void DedupeKey_RetryOfTheSameEvent_IsTheSame()
    {
        var first = Event("contact.creation") with { ObjectId = 5, AttemptNumber = 0 };
        var retry = first with { AttemptNumber = 3 };

        Assert.Equal(WebhookEventTriage.DedupeKey(first), WebhookEventTriage.DedupeKey(retry));
    }

    [Theory]
    [InlineData(62515L, 11L, 100L, 501L, 1_700_000_000_000L, "contact.propertyChange")]
    [InlineData(null, null, null, null, null, null)]
    [InlineData(-1L, long.MaxValue, long.MinValue, 0L, -5L, "contact.privacyDeletion")]
    public void DedupeId_IsTheIdOfTheDedupeKeyText(long? portal, long? subscription, long? eventId, long? objectId, long? occurredAt, string? type)
    {
        var e = new HubSpotWebhookEvent { PortalId = portal, SubscriptionId = subscription, EventId = eventId, ObjectId = objectId, OccurredAt = occurredAt, SubscriptionType = type };

        Assert.Equal(HubSyncWorker.Storage.InboxEvent.IdOf(WebhookEventTriage.DedupeKey(e)), WebhookEventTriage.DedupeId(e));
    }

    [Fact]
    public void DedupeId_AsRedisStoresIt_IsTheXxHash128OfTheKeyAsEarlierVersionsWroteIt()
    {
        // Keys remembered before an upgrade must still be found after it.
        const string key = "62515:11:100:501:1700000000000:contact.propertyChange";

        Assert.Equal(System.IO.Hashing.XxHash128.Hash(System.Text.Encoding.UTF8.GetBytes(key)), HubSyncWorker.Storage.Redis.RedisWebhookInbox.Field(key));
    }

    [Fact]
    public void DedupeId_SubscriptionTypeLongerThanTheStackBuffer_IsStillTheIdOfTheKey()
    {
        var e = new HubSpotWebhookEvent { EventId = 1, SubscriptionType = new string('x', 400) + "é" };

        Assert.Equal(HubSyncWorker.Storage.InboxEvent.IdOf(WebhookEventTriage.DedupeKey(e)), WebhookEventTriage.DedupeId(e));
    }

    [Fact]
    public void DedupeKey_SameEventIdOnAnotherObject_Differs()
    {
        var first = Event("contact.creation") with { ObjectId = 5 };

        Assert.NotEqual(WebhookEventTriage.DedupeKey(first), WebhookEventTriage.DedupeKey(first with { ObjectId = 6 }));
    }

    private static HubSpotWebhookEvent Event(string? type) => new()
    {
        EventId = 100,
        SubscriptionId = 200,
        PortalId = 300,
        AppId = 400,
        OccurredAt = 1_767_000_000_000,
        SubscriptionType = type,
        AttemptNumber = 0,
    };

    private sealed class PropertyFilter : IContactPropertyFilter
    {
        public bool IsWatched(string propertyName) => propertyName is "jobtitle" or "lifecyclestage" or "hs_lead_status";

        public bool IsOutput(string propertyName) => propertyName.StartsWith("hubsync_", StringComparison.Ordinal);
    }
}
