using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.Sandbox.Tests;

public sealed class RateLimitTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Requests_OverTheTenSecondBudget_Get429UntilTheWindowRollsOn()
    {
        var time = new FakeTimeProvider(Start);
        await using var session = await SandboxSession.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.EnforceRateLimits = true;
            o.RequestsPerTenSeconds = 5;
        });

        var accepted = new List<ApiResult>();
        for (var i = 0; i < 5; i++)
        {
            accepted.Add(await session.GetAsync("/crm/v3/objects/contacts"));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var refused = await session.GetAsync("/crm/v3/objects/contacts");
        time.Advance(TimeSpan.FromSeconds(5));
        var afterWindow = await session.GetAsync("/crm/v3/objects/contacts");

        Assert.All(accepted, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(["4", "3", "2", "1", "0"], accepted.Select(r => r.Header("X-HubSpot-RateLimit-Remaining")));
        Assert.Equal("5", accepted[0].Header("X-HubSpot-RateLimit-Max"));
        Assert.Equal("10000", accepted[0].Header("X-HubSpot-RateLimit-Interval-Milliseconds"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("TEN_SECONDLY_ROLLING", refused.Json["policyName"]!.GetValue<string>());
        Assert.Equal("RATE_LIMIT", refused.Json["errorType"]!.GetValue<string>());
        Assert.Equal("You have reached your ten_secondly_rolling limit.", refused.Json["message"]!.GetValue<string>());
        Assert.True(Guid.TryParse(refused.Json["requestId"]!.GetValue<string>(), out _));
        Assert.Equal(HttpStatusCode.OK, afterWindow.Status);
        Assert.Equal(1, session.Sandbox.Stats.RateLimited(RateLimitPolicy.TenSecondlyRolling));
    }

    [Fact]
    public async Task Requests_RefusedWith429_DoNotConsumeBudget()
    {
        var time = new FakeTimeProvider(Start);
        await using var session = await SandboxSession.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.EnforceRateLimits = true;
            o.RequestsPerTenSeconds = 2;
        });

        await session.GetAsync("/crm/v3/objects/contacts");
        await session.GetAsync("/crm/v3/objects/contacts");
        time.Advance(TimeSpan.FromSeconds(9));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, (await session.GetAsync("/crm/v3/objects/contacts")).Status);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        var recovered = await session.GetAsync("/crm/v3/objects/contacts");

        Assert.Equal(HttpStatusCode.OK, recovered.Status);
        Assert.Equal("1", recovered.Header("X-HubSpot-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Search_OverFivePerSecond_Gets429SecondlyWithoutRateLimitHeadersAndLeavesTheTenSecondBudgetAlone()
    {
        var time = new FakeTimeProvider(Start);
        await using var session = await SandboxSession.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.EnforceRateLimits = true;
        });

        var searches = new List<ApiResult>();
        for (var i = 0; i < 5; i++)
        {
            searches.Add(await session.SearchAsync(new { limit = 1 }));
        }

        var refused = await session.SearchAsync(new { limit = 1 });
        var list = await session.GetAsync("/crm/v3/objects/contacts");
        time.Advance(TimeSpan.FromSeconds(1));
        var nextSecond = await session.SearchAsync(new { limit = 1 });

        Assert.All(searches, s => Assert.Equal(HttpStatusCode.OK, s.Status));
        Assert.All(searches, s => Assert.Null(s.Header("X-HubSpot-RateLimit-Remaining")));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("SECONDLY", refused.Json["policyName"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Equal("99", list.Header("X-HubSpot-RateLimit-Remaining"));
        Assert.Equal(HttpStatusCode.OK, nextSecond.Status);
        Assert.Equal(1, session.Sandbox.Stats.RateLimited(RateLimitPolicy.Secondly));
    }

    [Fact]
    public async Task Requests_OverTheDailyLimit_Get429DailyUntilMidnightUtc()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 59, 0, TimeSpan.Zero));
        await using var session = await SandboxSession.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.EnforceRateLimits = true;
            o.DailyLimit = 3;
        });

        var first = await session.GetAsync("/crm/v3/objects/contacts");
        await session.GetAsync("/crm/v3/objects/contacts");
        time.Advance(TimeSpan.FromSeconds(20));
        await session.GetAsync("/crm/v3/objects/contacts");
        time.Advance(TimeSpan.FromSeconds(20));
        var refused = await session.GetAsync("/crm/v3/objects/contacts");
        time.Advance(TimeSpan.FromSeconds(20));
        var nextDay = await session.GetAsync("/crm/v3/objects/contacts");

        Assert.Equal("3", first.Header("X-HubSpot-RateLimit-Daily"));
        Assert.Equal("2", first.Header("X-HubSpot-RateLimit-Daily-Remaining"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("DAILY", refused.Json["policyName"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, nextDay.Status);
        Assert.Equal("2", nextDay.Header("X-HubSpot-RateLimit-Daily-Remaining"));
    }
}
