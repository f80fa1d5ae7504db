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

    public static TheoryData<string> GenericTwins => [.. Twins.Keys];

    [Theory]
    [MemberData(nameof(GenericTwins))]
    public void Triage_GenericEventAboutAContact_IsTriagedAsItsContactTwin(string twin)
    {
        var (legacy, generic) = Twins[twin];

        var expected = _triage.Triage(legacy);
        var actual = _triage.Triage(generic);

        Assert.Equal((expected.Disposition, string.Join(",", expected.ContactIds)), (actual.Disposition, string.Join(",", actual.ContactIds)));
        Assert.Equal(generic.SubscriptionType, actual.SubscriptionType);
    }

    [Fact]
    public void Triage_GenericTwinTable_CoversEveryDisposition()
    {
        // The table would prove little if every row came out the same.
        var dispositions = Twins.Values.Select(t => _triage.Triage(t.Legacy).Disposition).ToHashSet();

        Assert.Superset(
            new HashSet<WebhookEventDisposition> { WebhookEventDisposition.Evaluate, WebhookEventDisposition.Forget, WebhookEventDisposition.IgnoredEcho, WebhookEventDisposition.IgnoredUnwatchedProperty, WebhookEventDisposition.IgnoredIrrelevant },
            dispositions);
    }

    [Theory]
    [InlineData("object.creation", "0-2")]
    [InlineData("object.propertyChange", "0-3")]
    [InlineData("object.deletion", "0-5")]
    [InlineData("object.merge", "2-1234567")]
    [InlineData("object.restore", null)]
    [InlineData("object.propertyChange", "1")]
    public void Triage_GenericEventAboutAnotherObjectType_IsIgnoredWithItsOwnReason(string type, string? objectTypeId)
    {
        var result = _triage.Triage(Event(type) with { ObjectTypeId = objectTypeId, ObjectId = 5, PropertyName = "jobtitle", MergedObjectIds = [6] });

        Assert.Equal(WebhookEventDisposition.IgnoredOtherObjectType, result.Disposition);
        Assert.Empty(result.ContactIds);
    }

    [Theory]
    [InlineData("0-3", "0-2")]
    [InlineData("0-5", "0-3")]
    [InlineData(null, null)]
    public void Triage_GenericAssociationWithoutAContact_IsIgnoredAsAnotherObjectType(string? from, string? to)
    {
        var result = _triage.Triage(Event("object.associationChange") with { FromObjectTypeId = from, ToObjectTypeId = to, FromObjectId = 1, ToObjectId = 2 });

        Assert.Equal(WebhookEventDisposition.IgnoredOtherObjectType, result.Disposition);
    }

    [Fact]
    public void Triage_GenericEventOfAnUnknownKind_IsAnUnknownType()
    {
        var result = _triage.Triage(Event("object.somethingNew") with { ObjectTypeId = WebhookEventTriage.ContactTypeId, ObjectId = 1 });

        Assert.Equal(WebhookEventDisposition.IgnoredUnknownType, result.Disposition);
    }

    [Fact]
    public void Triage_MalformedEvent_IsMalformedWhateverItsFields()
    {
        var result = _triage.Triage(Event("contact.creation") with { ObjectId = 5, IsMalformed = true });

        Assert.Equal(WebhookEventDisposition.Malformed, result.Disposition);
        Assert.Empty(result.ContactIds);
        Assert.Equal("contact.creation", result.SubscriptionType);
    }

    /// <summary>Classic events and their generic twins (a crmObjects subscription's <c>object.*</c> with <c>objectTypeId</c> <c>0-1</c>).</summary>
    private static readonly Dictionary<string, (HubSpotWebhookEvent Legacy, HubSpotWebhookEvent Generic)> Twins = new()
    {
        ["creation"] = Twin("creation", e => e with { ObjectId = 501 }),
        ["creation without an object id"] = Twin("creation", e => e),
        ["restore"] = Twin("restore", e => e with { ObjectId = 502 }),
        ["change of a watched property"] = Twin("propertyChange", e => e with { ObjectId = 7, PropertyName = "jobtitle", SourceId = "userId:12" }),
        ["change of an unwatched property"] = Twin("propertyChange", e => e with { ObjectId = 7, PropertyName = "favourite_colour", SourceId = "userId:12" }),
        ["change without a property name"] = Twin("propertyChange", e => e with { ObjectId = 7 }),
        ["own app's write"] = Twin("propertyChange", e => e with { ObjectId = 7, PropertyName = "lifecyclestage", SourceId = OwnAppId }),
        ["own app's write, prefixed"] = Twin("propertyChange", e => e with { ObjectId = 7, PropertyName = "lifecyclestage", SourceId = "app:" + OwnAppId }),
        ["another app whose id ends the same"] = Twin("propertyChange", e => e with { ObjectId = 7, PropertyName = "lifecyclestage", SourceId = "1" + OwnAppId }),
        ["output property changed by a user"] = Twin("propertyChange", e => e with { ObjectId = 7, PropertyName = "hubsync_status", SourceId = "userId:5" }),
        ["deletion"] = Twin("deletion", e => e with { ObjectId = 33 }),
        ["deletion without an object id"] = Twin("deletion", e => e),
        ["merge"] = Twin("merge", e => e with { ObjectId = 10, PrimaryObjectId = 10, MergedObjectIds = [10, 11, 12], NewObjectId = 10 }),
        ["merge into a new record"] = Twin("merge", e => e with { PrimaryObjectId = 10, MergedObjectIds = [11], NewObjectId = 99 }),
        ["merge without ids"] = Twin("merge", e => e),
        ["contact to deal"] = Association("CONTACT_TO_DEAL", "0-1", "0-3", from: 40, to: 900),
        ["deal to contact"] = Association("DEAL_TO_CONTACT", "0-3", "0-1", from: 900, to: 40),
        ["contact to deal, removed"] = Association("CONTACT_TO_DEAL", "0-1", "0-3", from: 40, to: 900, removed: true),
        ["contact to company"] = Association("CONTACT_TO_COMPANY", "0-1", "0-2", from: 40, to: 5),
        ["company to contact"] = Association("COMPANY_TO_CONTACT", "0-2", "0-1", from: 5, to: 40),
    };

    private static (HubSpotWebhookEvent, HubSpotWebhookEvent) Twin(string kind, Func<HubSpotWebhookEvent, HubSpotWebhookEvent> shape) =>
        (shape(Event("contact." + kind)), shape(Event("object." + kind) with { ObjectTypeId = WebhookEventTriage.ContactTypeId }));

    private static (HubSpotWebhookEvent, HubSpotWebhookEvent) Association(string associationType, string fromType, string toType, long from, long to, bool removed = false)
    {
        var legacy = Event("contact.associationChange") with { AssociationType = associationType, FromObjectId = from, ToObjectId = to, AssociationRemoved = removed };
        var generic = Event("object.associationChange") with { FromObjectTypeId = fromType, ToObjectTypeId = toType, FromObjectId = from, ToObjectId = to, AssociationRemoved = removed };
        return (legacy, generic);
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
