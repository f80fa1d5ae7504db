using System.Net;

namespace HubSyncWorker.Sandbox.Tests;

public sealed class BatchEndpointTests
{
    [Fact]
    public async Task BatchRead_SomeIdsMissing_Returns207WithTheFoundRecordsAndObjectNotFound()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        var result = await session.PostAsync("/crm/v3/objects/contacts/batch/read", new
        {
            properties = new[] { "email" },
            propertiesWithHistory = Array.Empty<string>(),
            inputs = new[] { new { id }, new { id = "424242" } },
        });

        Assert.Equal(HttpStatusCode.MultiStatus, result.Status);
        Assert.Equal("a@example.com", result.Results.Single()!["properties"]!["email"]!.GetValue<string>());
        Assert.Equal(1, result.Json["numErrors"]!.GetValue<int>());
        var error = result.Json["errors"]![0]!;
        Assert.Equal("OBJECT_NOT_FOUND", error["category"]!.GetValue<string>());
        Assert.Equal(["424242"], error["context"]!["ids"]!.AsArray().Select(i => i!.GetValue<string>()));
    }

    [Fact]
    public async Task BatchRead_AllFound_Returns200Complete()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        var result = await session.PostAsync("/crm/v3/objects/contacts/batch/read", new { inputs = new[] { new { id } } });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal("COMPLETE", result.Json["status"]!.GetValue<string>());
        Assert.Null(result.Json["errors"]);
    }

    [Fact]
    public async Task BatchRead_MoreThan100Inputs_Returns400()
    {
        await using var session = await SandboxSession.StartAsync();

        var result = await session.PostAsync("/crm/v3/objects/contacts/batch/read",
            new { inputs = Enumerable.Range(1, 101).Select(i => new { id = i.ToString() }).ToArray() });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
    }

    [Fact]
    public async Task BatchUpdate_OneInvalidEnumerationValue_Returns207AndWritesTheOtherInputs()
    {
        await using var session = await SandboxSession.StartAsync();
        var contacts = session.Sandbox.Contacts;
        var good = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "good@example.com" });
        var bad = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "bad@example.com" });

        var result = await session.BatchUpdateAsync(
            new { id = good, properties = new Dictionary<string, string> { ["hs_lead_status"] = "OPEN", ["jobtitle"] = "CTO" } },
            new { id = bad, properties = new Dictionary<string, string> { ["hs_lead_status"] = "MAYBE", ["jobtitle"] = "CFO" }, objectWriteTraceId = "t-bad" });

        Assert.Equal(HttpStatusCode.MultiStatus, result.Status);
        Assert.Equal([good], result.Results.Select(r => r!["id"]!.GetValue<string>()));
        var error = result.Json["errors"]!.AsArray().Single()!;
        Assert.Equal("VALIDATION_ERROR", error["category"]!.GetValue<string>());
        Assert.Contains("MAYBE", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("t-bad", error["context"]!["objectWriteTraceId"]![0]!.GetValue<string>());
        Assert.Equal("OPEN", contacts.GetContact(good)!.Properties["hs_lead_status"]);
        Assert.Equal("CTO", contacts.GetContact(good)!.Properties["jobtitle"]);
        Assert.False(contacts.GetContact(bad)!.Properties.ContainsKey("jobtitle"));
    }

    [Fact]
    public async Task BatchUpdate_RejectWholeBatchOnInvalidValue_400NamingNoInputAndNothingWritten()
    {
        await using var session = await SandboxSession.StartAsync(o => o.RejectWholeBatchOnInvalidValue = true);
        var contacts = session.Sandbox.Contacts;
        var good = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "good@example.com" });
        var bad = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "bad@example.com" });

        var result = await session.BatchUpdateAsync(
            new { id = good, properties = new Dictionary<string, string> { ["jobtitle"] = "CTO" } },
            new { id = bad, properties = new Dictionary<string, string> { ["hs_lead_status"] = "MAYBE" } });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("VALIDATION_ERROR", result.Json["category"]!.GetValue<string>());
        Assert.Contains("INVALID_OPTION", result.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(contacts.GetContact(good)!.Properties.ContainsKey("jobtitle"));
        Assert.Equal(HttpStatusCode.OK, (await session.BatchUpdateAsync(new { id = good, properties = new Dictionary<string, string> { ["jobtitle"] = "CTO" } })).Status);
    }

    [Fact]
    public async Task BatchUpdate_UnknownIdAndUnknownProperty_Return207ErrorsEchoingTheTraceIds()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        var result = await session.BatchUpdateAsync(
            new { id = "999", properties = new Dictionary<string, string> { ["jobtitle"] = "CEO" }, objectWriteTraceId = "t-missing" },
            new { id, properties = new Dictionary<string, string> { ["hubsync_nope"] = "1" }, objectWriteTraceId = "t-unknown-prop" });

        Assert.Equal(HttpStatusCode.MultiStatus, result.Status);
        var errors = result.Json["errors"]!.AsArray();
        Assert.Equal(2, result.Json["numErrors"]!.GetValue<int>());
        Assert.Equal("OBJECT_NOT_FOUND", errors[0]!["category"]!.GetValue<string>());
        Assert.Equal("t-missing", errors[0]!["context"]!["objectWriteTraceId"]![0]!.GetValue<string>());
        Assert.Equal("VALIDATION_ERROR", errors[1]!["category"]!.GetValue<string>());
        Assert.Equal("PROPERTY_DOESNT_EXIST", errors[1]!["errors"]![0]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task BatchUpdate_EarlierLifecycleStage_IsSilentlyIgnored()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "salesqualifiedlead" });

        var result = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["lifecyclestage"] = "lead" } });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal("salesqualifiedlead", result.Results[0]!["properties"]!["lifecyclestage"]!.GetValue<string>());
        Assert.Equal("salesqualifiedlead", session.Sandbox.Contacts.GetContact(id)!.Properties["lifecyclestage"]);
        Assert.Equal(1, session.Sandbox.Stats.WritesUnchanged);
    }

    [Fact]
    public async Task BatchUpdate_ClearThenEarlierStageInASecondRequest_MovesTheStageBack()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "opportunity" });

        var cleared = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["lifecyclestage"] = "" } });
        var clearedValue = session.Sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("lifecyclestage");
        var moved = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["lifecyclestage"] = "lead" } });

        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        Assert.Null(clearedValue);
        Assert.Equal(HttpStatusCode.OK, moved.Status);
        Assert.Equal("lead", session.Sandbox.Contacts.GetContact(id)!.Properties["lifecyclestage"]);
        Assert.Equal(["lead", "", "opportunity"], session.Sandbox.Contacts.GetHistory(id, "lifecyclestage").Select(v => v.Value));
    }

    [Fact]
    public async Task BatchUpdate_SameValuesAsStored_ChangesNothingAndIsCountedAsANoOp()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["jobtitle"] = "CTO", ["numemployees"] = "50" });
        var before = session.Sandbox.Contacts.GetContact(id)!;

        var result = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["jobtitle"] = "CTO", ["numemployees"] = "50" } });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var after = session.Sandbox.Contacts.GetContact(id)!;
        Assert.Equal(before.Properties["lastmodifieddate"], after.Properties["lastmodifieddate"]);
        Assert.Single(session.Sandbox.Contacts.GetHistory(id, "jobtitle"));
        Assert.Equal(1, session.Sandbox.Stats.WritesUnchanged);
        Assert.Equal(0, session.Sandbox.Stats.WritesChanged);
        Assert.Equal(1, session.Sandbox.Stats.BatchUpdateInputs);
    }

    [Fact]
    public async Task BatchUpdate_ConversionNames_AccumulateInHistory()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["recent_conversion_event_name"] = "Ebook" });

        await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["recent_conversion_event_name"] = "Pricing page" } });
        var read = await session.PostAsync("/crm/v3/objects/contacts/batch/read", new
        {
            propertiesWithHistory = new[] { "recent_conversion_event_name" },
            inputs = new[] { new { id } },
        });

        var history = read.Results[0]!["propertiesWithHistory"]!["recent_conversion_event_name"]!.AsArray();
        Assert.Equal(["Pricing page", "Ebook"], history.Select(h => h!["value"]!.GetValue<string>()));
        Assert.Equal("INTEGRATION", history[0]!["sourceType"]!.GetValue<string>());
    }

    [Fact]
    public async Task BatchRead_WithAndWithoutPropertiesWithHistory_AreCountedApart()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["recent_conversion_event_name"] = "Ebook" });
        var tooMany = Enumerable.Range(1, 51).Select(i => new { id = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToArray();

        await session.PostAsync("/crm/v3/objects/contacts/batch/read", new { properties = new[] { "email" }, inputs = new[] { new { id } } });
        await session.PostAsync("/crm/v3/objects/contacts/batch/read", new { properties = new[] { "email" }, propertiesWithHistory = Array.Empty<string>(), inputs = new[] { new { id } } });
        await session.PostAsync("/crm/v3/objects/contacts/batch/read", new { propertiesWithHistory = new[] { "recent_conversion_event_name" }, inputs = new[] { new { id } } });
        await session.PostAsync("/crm/v3/objects/contacts/batch/read", new { propertiesWithHistory = new[] { "recent_conversion_event_name" }, inputs = tooMany });

        var stats = session.Sandbox.Stats;
        Assert.Equal(4, stats.Requests(SandboxEndpoint.ContactsBatchRead));
        Assert.Equal((2, 1, 1), (stats.CurrentBatchReads(), stats.HistoryBatchReads(200), stats.HistoryBatchReads(400)));
        stats.Reset();
        Assert.Equal((0, 0), (stats.CurrentBatchReads(), stats.HistoryBatchReads()));
    }

    [Fact]
    public async Task BatchUpdate_DatetimeAsEpochMs_IsStoredAndReturnedAsIso8601()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        var result = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["recent_conversion_date"] = "1767225600000" } });

        Assert.Equal("2026-01-01T00:00:00.000Z", result.Results[0]!["properties"]!["recent_conversion_date"]!.GetValue<string>());
    }

    [Fact]
    public async Task BatchUpdate_MoreThan100InputsOrDuplicateIds_Returns400()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });
        var props = new Dictionary<string, string> { ["jobtitle"] = "x" };

        var tooMany = await session.BatchUpdateAsync([.. Enumerable.Range(1, 101).Select(i => (object)new { id = i.ToString(), properties = props })]);
        var duplicate = await session.BatchUpdateAsync(new { id, properties = props }, new { id, properties = props });

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.Status);
        Assert.False(session.Sandbox.Contacts.GetContact(id)!.Properties.ContainsKey("jobtitle"));
    }

    [Fact]
    public async Task BatchUpdate_ConcurrentClients_LoseNoWriteAndKeepEveryVersion()
    {
        await using var session = await SandboxSession.StartAsync();
        var ids = Enumerable.Range(0, 100).Select(_ => session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["jobtitle"] = "seed" })).ToArray();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            for (var round = 0; round < 10; round++)
            {
                var inputs = ids.Select(id => (object)new { id, properties = new Dictionary<string, string> { ["jobtitle"] = $"w{worker}-r{round}" } }).ToArray();
                Assert.Equal(HttpStatusCode.OK, (await session.BatchUpdateAsync(inputs)).Status);
            }
        }));

        Assert.Equal(4_000, session.Sandbox.Stats.WritesChanged);
        Assert.Equal(4_000, session.Sandbox.Stats.BatchUpdateInputs);
        Assert.All(ids, id => Assert.Equal(41, session.Sandbox.Contacts.GetHistory(id, "jobtitle").Count));
        Assert.All(ids, id => Assert.Equal(
            session.Sandbox.Contacts.GetHistory(id, "jobtitle")[0].Value,
            session.Sandbox.Contacts.GetContact(id)!.Properties["jobtitle"]));
    }

    [Fact]
    public async Task BatchUpdate_ReadOnlyProperty_IsRefusedButAPersonsActivityMaySetIt()
    {
        await using var session = await SandboxSession.StartAsync();
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["email"] = "a@example.com" });

        var api = await session.BatchUpdateAsync(new { id, properties = new Dictionary<string, string> { ["notes_last_contacted"] = "1767225600000" } });
        session.Sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["notes_last_contacted"] = "1767225600000" });

        Assert.Equal(HttpStatusCode.MultiStatus, api.Status);
        Assert.Equal("READ_ONLY_VALUE", api.Json["errors"]![0]!["errors"]![0]!["code"]!.GetValue<string>());
        Assert.Equal("2026-01-01T00:00:00.000Z", session.Sandbox.Contacts.GetContact(id)!.Properties["notes_last_contacted"]);
        Assert.Throws<ArgumentException>(() =>
            session.Sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["num_associated_deals"] = "3" }));
    }
}
