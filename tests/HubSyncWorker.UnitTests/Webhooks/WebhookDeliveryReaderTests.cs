using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker.UnitTests.Webhooks;

/// <summary>
/// The hand-written reader against <see cref="JsonSerializer"/> with the options the endpoint used before it (camel case,
/// numbers also from strings), event by event: the same events for every event object the serializer reads, a malformed event
/// wherever it throws, and the whole body refused only where it is not a JSON array at all. The oracle
/// reads the event record as it is now: the fields the worker does not use (the new value, the change source and flag) are
/// unknown to both, so any value of theirs is skipped (before they were dropped from the record, a number there was a 400).
/// </summary>
public sealed class WebhookDeliveryReaderTests
{
    private readonly WebhookDeliveryReader _reader = new();

    [Fact]
    public void Read_TypicalDelivery_ReadsEveryFieldTheWorkerUses()
    {
        var events = _reader.Read("""
            [{"eventId":100,"subscriptionId":11,"portalId":62515,"appId":999,"occurredAt":1700000000000,
              "subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":123,"changeSource":"CRM_UI",
              "sourceId":"userId:42","propertyName":"jobtitle","propertyValue":"CTO","changeFlag":"UPDATED"},
             {"eventId":"101","subscriptionType":"contact.merge","objectId":"7","primaryObjectId":8,"mergedObjectIds":[7,"9"],"newObjectId":null},
             {"subscriptionType":"contact.associationChange","associationType":"CONTACT_TO_DEAL","fromObjectId":5,"toObjectId":6,"associationRemoved":true}]
            """u8);

        Assert.NotNull(events);
        Assert.Equal(3, events.Length);
        Assert.Equal(
            new HubSpotWebhookEvent
            {
                EventId = 100, SubscriptionId = 11, PortalId = 62515, AppId = 999, OccurredAt = 1_700_000_000_000,
                SubscriptionType = "contact.propertyChange", AttemptNumber = 0, ObjectId = 123, SourceId = "userId:42", PropertyName = "jobtitle",
            },
            events[0]);
        Assert.Equal((101L, 7L, 8L), (events[1].EventId!.Value, events[1].ObjectId!.Value, events[1].PrimaryObjectId!.Value));
        Assert.Equal([7L, 9L], events[1].MergedObjectIds!);
        Assert.Equal(("CONTACT_TO_DEAL", 5L, 6L, true), (events[2].AssociationType, events[2].FromObjectId!.Value, events[2].ToObjectId!.Value, events[2].AssociationRemoved!.Value));
    }

    [Fact]
    public void Read_SameTextInTwoDeliveries_IsOneString()
    {
        var body = """[{"propertyName":"jobtitle","sourceId":"userId:42"}]"""u8;

        var first = _reader.Read(body)![0];
        var second = _reader.Read(body)![0];

        Assert.Same(first.PropertyName, second.PropertyName);
        Assert.Same(first.SourceId, second.SourceId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("[{}")]
    [InlineData("[{}] x")]
    [InlineData("[{}][{}]")]
    [InlineData("[{},]")]
    [InlineData("[{\"objectId\":5,}]")]
    [InlineData("[/* note */{}]")]
    [InlineData("[{'objectId':5}]")]
    [InlineData("[{\"objectId\":5},{\"objectId\":6]")]
    public void Read_BodyThatIsNotAJsonArray_IsRefusedWhole(string body)
    {
        Assert.Null(_reader.Read(Encoding.UTF8.GetBytes(body)));
        Assert.Null(Oracle(Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("[null]")]
    [InlineData("[[]]")]
    [InlineData("[[{\"objectId\":5}]]")]
    [InlineData("[\"contact.creation\"]")]
    [InlineData("[{\"objectId\":\"five\"}]")]
    [InlineData("[{\"objectId\":\" 5\"}]")]
    [InlineData("[{\"objectId\":5.5}]")]
    [InlineData("[{\"objectId\":1e3}]")]
    [InlineData("[{\"objectId\":99999999999999999999}]")]
    [InlineData("[{\"objectId\":true}]")]
    [InlineData("[{\"objectId\":{}}]")]
    [InlineData("[{\"objectId\":{\"a\":[1,{\"b\":2}]},\"eventId\":3}]")]
    [InlineData("[{\"attemptNumber\":3000000000}]")]
    [InlineData("[{\"subscriptionType\":7}]")]
    [InlineData("[{\"sourceId\":[]}]")]
    [InlineData("[{\"mergedObjectIds\":[1,null]}]")]
    [InlineData("[{\"mergedObjectIds\":[1,null,{\"x\":[]},3],\"objectId\":4}]")]
    [InlineData("[{\"mergedObjectIds\":5}]")]
    [InlineData("[{\"associationRemoved\":\"true\"}]")]
    [InlineData("[{\"associationRemoved\":1}]")]
    public void Read_OneEventOfTheWrongShape_IsOneMalformedEventBetweenTheGoodOnes(string body)
    {
        // The bad element between two good events: HubSpot never retries a refused delivery, so the good ones must still be read.
        var inner = body[1..^1];
        var utf8 = Encoding.UTF8.GetBytes($$"""[{"objectId":1,"subscriptionType":"contact.creation"},{{inner}},{"objectId":2,"subscriptionType":"contact.creation"}]""");

        var events = _reader.Read(utf8);

        Assert.NotNull(events);
        Assert.Equal([false, true, false], events.Select(e => e.IsMalformed));
        Assert.Equal([1L, 2L], new[] { events[0].ObjectId!.Value, events[2].ObjectId!.Value });
        Assert.Equal(Describe(Oracle(utf8)), Describe(events));
    }

    [Fact]
    public void Read_GenericEvents_ReadTheObjectTypeIdsAsStringsOrNumbers()
    {
        var events = _reader.Read("""
            [{"eventId":1,"subscriptionType":"object.propertyChange","objectTypeId":"0-1","objectId":5,"propertyName":"jobtitle","isSensitive":false,"sourceId":"userId:1"},
             {"subscriptionType":"object.associationChange","fromObjectTypeId":"0-3","toObjectTypeId":"0-1","associationTypeId":4,"associationCategory":"HUBSPOT_DEFINED","fromObjectId":9,"toObjectId":5,"associationRemoved":false},
             {"subscriptionType":"object.creation","objectTypeId":2,"objectId":6},
             {"subscriptionType":"object.creation","objectTypeId":null,"objectId":7}]
            """u8);

        Assert.NotNull(events);
        Assert.DoesNotContain(events, e => e.IsMalformed);
        Assert.Equal(("object.propertyChange", "0-1", 5L), (events[0].SubscriptionType, events[0].ObjectTypeId, events[0].ObjectId!.Value));
        Assert.Equal(("0-3", "0-1", 9L, 5L, false), (events[1].FromObjectTypeId, events[1].ToObjectTypeId, events[1].FromObjectId!.Value, events[1].ToObjectId!.Value, events[1].AssociationRemoved!.Value));
        Assert.Equal("2", events[2].ObjectTypeId);
        Assert.Null(events[3].ObjectTypeId);
    }

    [Theory]
    [InlineData("objectTypeId")]
    [InlineData("fromObjectTypeId")]
    [InlineData("toObjectTypeId")]
    public void Read_ObjectTypeIdOfTheWrongKind_IsMalformed(string field)
    {
        var events = _reader.Read(Encoding.UTF8.GetBytes($$$"""[{"{{{field}}}":{"id":"0-1"}},{"{{{field}}}":true},{"{{{field}}}":"0-1"}]"""));

        Assert.NotNull(events);
        Assert.Equal([true, true, false], events.Select(e => e.IsMalformed));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData(" [ ] ")]
    [InlineData("[{}]")]
    [InlineData("[{\"objectId\":null,\"sourceId\":null,\"mergedObjectIds\":null,\"associationRemoved\":null}]")]
    [InlineData("[{\"objectId\":\"-12\",\"attemptNumber\":\"2\"}]")]
    [InlineData("[{\"objectId\":-0}]")]
    [InlineData("[{\"objectId\":\"+5\"}]")]
    [InlineData("[{\"ObjectId\":5,\"objectid\":6}]")]
    [InlineData("[{\"objectId\":5,\"objectId\":6}]")]
    [InlineData("[{\"\\u006fbjectId\":5,\"sourceId\":\"user\\u0049d:4\\\"2\"}]")]
    [InlineData("[{\"propertyName\":\"poste_occupé\",\"sourceId\":\"\"}]")]
    [InlineData("[{\"propertyValue\":{\"nested\":[1,{\"a\":null}]},\"unknown\":[[]],\"changeFlag\":7,\"objectId\":1}]")]
    [InlineData("[{\"objectId\":\"\\u0031\\u0032\"}]")]
    [InlineData("[{\"objectId\":\"\\u0031\\u0032\\u0033\\u0034\\u0035\\u0036\\u0037\\u0038\"}]")]
    [InlineData("[{\"\\u0070ropertyName\":\"\\u006aobtitle\",\"\\ud83d\\ude00\":1,\"\\ud800\":2}]")]
    public void Read_WellFormedBody_ReadsWhatTheSerializerReads(string body)
    {
        var utf8 = Encoding.UTF8.GetBytes(body);

        Assert.Equal(Describe(Oracle(utf8)), Describe(_reader.Read(utf8)));
    }

    [Theory]
    [InlineData("sourceId")]
    [InlineData("propertyName")]
    [InlineData("propertyValue")]
    [InlineData("unknown")]
    public void Read_StringThatIsNotUtf8_IsTreatedAsTheSerializerTreatsIt(string field)
    {
        byte[] body = [.. "[{\""u8, .. Encoding.UTF8.GetBytes(field), .. "\":\"a"u8, 0xFF, 0xFE, .. "\"}]"u8];

        Assert.Equal(Describe(Oracle(body)), Describe(_reader.Read(body)));
    }

    [Fact]
    public void Read_RandomBodies_AgreeWithTheSerializer()
    {
        var random = new Random(20261201);
        var agreed = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var utf8 = Encoding.UTF8.GetBytes(RandomBody(random));

            var expected = Describe(Oracle(utf8));
            Assert.True(expected == Describe(_reader.Read(utf8)), $"Disagreement on: {Encoding.UTF8.GetString(utf8)}");
            agreed += expected.Contains("malformed", StringComparison.Ordinal) ? 0 : 1;
        }

        // Both outcomes are exercised (bodies without, and with, a malformed event), each in at least a fifth of the bodies.
        Assert.InRange(agreed, 1_000, 4_000);
    }

    /// <summary>The serializer's reading: null when the body is not a JSON array, else each element read alone, malformed where it throws.</summary>
    private static HubSpotWebhookEvent[]? Oracle(byte[] body)
    {
        var elements = new List<byte[]>();
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                elements.Add(body[start..(int)reader.BytesConsumed]);
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return [.. elements.Select(ReadOne)];

        static HubSpotWebhookEvent ReadOne(byte[] element)
        {
            try
            {
                return JsonSerializer.Deserialize(element, OracleJsonContext.Default.HubSpotWebhookEvent) ?? new HubSpotWebhookEvent { IsMalformed = true };
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return new HubSpotWebhookEvent { IsMalformed = true };
            }
        }
    }

    private static string Describe(HubSpotWebhookEvent[]? events) => events is null
        ? "refused"
        : string.Join("\n", events.Select(e => e.IsMalformed
            ? "malformed"
            : (e with { MergedObjectIds = null }) + " merged=" + (e.MergedObjectIds is { } ids ? string.Join(",", ids) : "null")));

    private static readonly string[] Names =
    [
        "eventId", "subscriptionId", "portalId", "appId", "occurredAt", "subscriptionType", "attemptNumber", "objectId", "changeSource",
        "sourceId", "changeFlag", "propertyName", "propertyValue", "primaryObjectId", "mergedObjectIds", "newObjectId", "associationType",
        "fromObjectId", "toObjectId", "associationRemoved", "somethingNew", "objectID",
    ];

    private static string RandomBody(Random random)
    {
        var body = new StringBuilder("[");
        for (var e = random.Next(0, 4); e > 0; e--)
        {
            body.Append('{');
            for (var f = random.Next(0, 8); f > 0; f--)
            {
                body.Append('"').Append(Names[random.Next(Names.Length)]).Append("\":").Append(RandomValue(random, depth: 0));
                body.Append(f > 1 ? "," : "");
            }

            body.Append('}').Append(e > 1 ? "," : "");
        }

        return body.Append(']').ToString();
    }

    private static string RandomValue(Random random, int depth) => random.Next(depth > 1 ? 9 : 11) switch
    {
        0 => "null",
        1 => random.NextInt64(-1_000, long.MaxValue).ToString(CultureInfo.InvariantCulture),
        2 => $"\"{random.Next(0, 100_000).ToString(CultureInfo.InvariantCulture)}\"",
        3 => random.Next(2) == 0 ? "true" : "false",
        4 => "\"contact.propertyChange\"",
        5 => $"\"{new[] { "userId:42", "jobtitle", "CONTACT_TO_DEAL", "", "é", "x y" }[random.Next(6)]}\"",
        6 => random.Next(1_000).ToString(CultureInfo.InvariantCulture) + ".5",
        7 => "\"12a\"",
        8 => int.MaxValue.ToString(CultureInfo.InvariantCulture) + "0",
        9 => "[" + string.Join(",", Enumerable.Range(0, random.Next(3)).Select(_ => RandomValue(random, depth + 1))) + "]",
        _ => "{\"k\":" + RandomValue(random, depth + 1) + "}",
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(HubSpotWebhookEvent[]))]
[JsonSerializable(typeof(HubSpotWebhookEvent))]
internal sealed partial class OracleJsonContext : JsonSerializerContext;
