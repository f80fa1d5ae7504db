using System.Net;

namespace HubSyncWorker.Sandbox.Tests.Journal;

/// <summary>The journal subscriptions API: upserts, validation, list, get and delete.</summary>
public sealed class JournalSubscriptionTests
{
    [Fact]
    public async Task Upsert_SameSubscriptionTwice_KeepsOneWithTheSameId()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();
        object Body(params string[] properties) => new
        {
            subscriptionType = "OBJECT", portalId = session.Sandbox.Options.PortalId, objectTypeId = "0-1", objectIds = Array.Empty<long>(), properties,
            actions = new[] { "UPDATE", "CREATE" },
        };

        var first = await session.PostAsync(JournalSession.Subscriptions, Body("lifecyclestage", "email"));
        session.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await session.PostAsync(JournalSession.Subscriptions, Body("email", "lifecyclestage"));
        session.Clock.Advance(TimeSpan.FromMinutes(1));
        var changed = await session.PostAsync(JournalSession.Subscriptions, Body("email", "firstname"));
        var list = await session.GetAsync(JournalSession.Subscriptions);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        var id = first.Json["id"]!.GetValue<long>();
        Assert.Equal(id, again.Json["id"]!.GetValue<long>());
        Assert.Equal(first.Json["updatedAt"]!.GetValue<string>(), again.Json["updatedAt"]!.GetValue<string>());
        Assert.Equal(id, changed.Json["id"]!.GetValue<long>());
        Assert.NotEqual(first.Json["updatedAt"]!.GetValue<string>(), changed.Json["updatedAt"]!.GetValue<string>());
        Assert.Equal(["email", "firstname"], changed.Json["properties"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(["CREATE", "UPDATE"], changed.Json["actions"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(session.Sandbox.Options.AppId, changed.Json["appId"]!.GetValue<long>());
        Assert.Single(list.Results);
        Assert.Single(session.Sandbox.Journal.Subscriptions);
    }

    [Fact]
    public async Task GetAndDelete_ExistingSubscription_AnswersThen404()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();
        await session.SubscribeAllAsync("email");
        var id = session.Sandbox.Journal.Subscriptions[0].Id;

        var read = await session.GetAsync($"{JournalSession.Subscriptions}/{id}");
        var deleted = await session.DeleteAsync($"{JournalSession.Subscriptions}/{id}");
        var gone = await session.GetAsync($"{JournalSession.Subscriptions}/{id}");
        var deletedAgain = await session.DeleteAsync($"{JournalSession.Subscriptions}/{id}");

        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal("OBJECT", read.Json["subscriptionType"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.Status);
        Assert.Equal(2, session.Sandbox.Journal.Subscriptions.Count);
    }

    [Theory]
    [InlineData("OBJECT", "0-1", "PURGE", "email", "action 'PURGE' is not valid for OBJECT")]
    [InlineData("OBJECT", "0-1", "UPDATE", "no_such_property", "property 'no_such_property' does not exist")]
    [InlineData("OBJECT", "0-2", "UPDATE", "email", "objectTypeId '0-2'")]
    [InlineData("GDPR_PRIVACY_DELETION", "0-1", "DELETE", "email", "action 'DELETE' is not valid for GDPR_PRIVACY_DELETION")]
    [InlineData("LIST_MEMBERSHIP", "0-1", "ADDED_TO_LIST", "email", "subscriptionType 'LIST_MEMBERSHIP'")]
    public async Task Upsert_InvalidSubscription_Returns400NamingTheProblem(string type, string objectTypeId, string action, string property, string expected)
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();

        var refused = await session.PostAsync(JournalSession.Subscriptions, new
        {
            subscriptionType = type, portalId = session.Sandbox.Options.PortalId, objectTypeId, objectIds = Array.Empty<long>(),
            properties = new[] { property }, actions = new[] { action },
        });

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("VALIDATION_ERROR", refused.Json["category"]!.GetValue<string>());
        Assert.Contains(expected, refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(session.Sandbox.Journal.Subscriptions);
    }

    [Fact]
    public async Task Upsert_OtherPortalOrMissingField_Returns400()
    {
        await using var session = await JournalSession.StartAsync();
        await session.AuthenticateAsync();

        var otherPortal = await session.PostAsync(JournalSession.Subscriptions, new
        {
            subscriptionType = "OBJECT", portalId = 1, objectTypeId = "0-1", objectIds = Array.Empty<long>(), properties = Array.Empty<string>(), actions = new[] { "CREATE" },
        });
        var missing = await session.PostAsync(JournalSession.Subscriptions, new
        {
            subscriptionType = "OBJECT", portalId = session.Sandbox.Options.PortalId, objectTypeId = "0-1", actions = new[] { "CREATE" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, otherPortal.Status);
        Assert.Contains("portalId 1", otherPortal.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Contains("'objectIds' is required", missing.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("'properties' is required", missing.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
