using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.Sandbox.Tests;

public sealed class SearchEndpointTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// These tests check filter, sort, paging and limit semantics on contacts seeded before the first search, not freshness:
    /// the index lag (3 s by default, tested in <see cref="StrictLimitTests"/> and below) is irrelevant to them, so it is off.
    /// </summary>
    private static Task<SandboxSession> StartIndexedAsync(Action<SandboxOptions>? configure = null) => SandboxSession.StartAsync(o =>
    {
        o.SearchIndexLag = TimeSpan.Zero;
        configure?.Invoke(o);
    });

    [Fact]
    public async Task Search_LastModifiedSinceWithSort_ReturnsOnlyLaterChangesInOrder()
    {
        var time = new FakeTimeProvider(Start);
        await using var session = await SandboxSession.StartAsync(o => o.TimeProvider = time);
        var contacts = session.Sandbox.Contacts;
        var old = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "old@example.com" });
        time.Advance(TimeSpan.FromMinutes(1));
        var since = time.GetUtcNow().ToUnixTimeMilliseconds();
        var first = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "first@example.com" });
        time.Advance(TimeSpan.FromMinutes(1));
        var second = contacts.AddContact(new Dictionary<string, string?> { ["email"] = "second@example.com" });
        time.Advance(TimeSpan.FromMinutes(1));
        contacts.UpdateAsUser(old, new Dictionary<string, string?> { ["firstname"] = "Touched" });
        time.Advance(TimeSpan.FromSeconds(3)); // the default index lag: the last change becomes searchable

        var result = await session.SearchAsync(new
        {
            filterGroups = new[] { new { filters = new[] { new { propertyName = "lastmodifieddate", @operator = "GTE", value = since.ToString() } } } },
            sorts = new[] { new { propertyName = "lastmodifieddate", direction = "DESCENDING" } },
            properties = new[] { "email" },
            limit = 200,
        });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal(3, result.Json["total"]!.GetValue<int>());
        Assert.Equal([old, second, first], result.Results.Select(r => r!["id"]!.GetValue<string>()));
        Assert.Null(result.Json["paging"]);
        Assert.Null(result.Results[0]!["associations"]);
    }

    [Fact]
    public async Task Search_FilterGroups_AndWithinAGroupOrAcrossGroups()
    {
        await using var session = await StartIndexedAsync();
        var contacts = session.Sandbox.Contacts;
        var mql = contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "marketingqualifiedlead", ["numemployees"] = "250" });
        contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "marketingqualifiedlead", ["numemployees"] = "5" });
        var customer = contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "customer", ["email"] = "boss@acme.io" });
        contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "lead" });

        var result = await session.SearchAsync(new
        {
            filterGroups = new object[]
            {
                new { filters = new object[]
                {
                    new { propertyName = "lifecyclestage", @operator = "EQ", value = "marketingqualifiedlead" },
                    new { propertyName = "numemployees", @operator = "BETWEEN", value = "100", highValue = "1000" },
                } },
                new { filters = new object[] { new { propertyName = "email", @operator = "CONTAINS_TOKEN", value = "*@acme.io" } } },
            },
            limit = 10,
        });

        Assert.Equal([mql, customer], result.Results.Select(r => r!["id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("IN", "lifecyclestage", 2)]
    [InlineData("NOT_IN", "lifecyclestage", 1)]
    [InlineData("HAS_PROPERTY", "phone", 1)]
    [InlineData("NOT_HAS_PROPERTY", "phone", 2)]
    public async Task Search_SetAndPresenceOperators_MatchTheRightContacts(string op, string property, int expected)
    {
        await using var session = await StartIndexedAsync();
        var contacts = session.Sandbox.Contacts;
        contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "lead", ["phone"] = "1" });
        contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "customer" });
        contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "other" });

        var result = await session.SearchAsync(new
        {
            filterGroups = new[] { new { filters = new[] { new { propertyName = property, @operator = op, values = new[] { "lead", "customer" } } } } },
        });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal(expected, result.Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Search_PagingPastTenThousandResults_Returns400ButTheLastAllowedPageWorks()
    {
        await using var session = await StartIndexedAsync();
        for (var i = 0; i < 10_050; i++)
        {
            session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["firstname"] = "Bulk" });
        }

        var lastAllowed = await session.SearchAsync(new { limit = 200, after = "9800" });
        var pastTheCap = await session.SearchAsync(new { limit = 200, after = "9900" });

        Assert.Equal(HttpStatusCode.OK, lastAllowed.Status);
        Assert.Equal(10_050, lastAllowed.Json["total"]!.GetValue<int>());
        Assert.Equal(200, lastAllowed.Results.Count);
        Assert.Equal("10000", lastAllowed.Json["paging"]!["next"]!["after"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, pastTheCap.Status);
        Assert.Equal("VALIDATION_ERROR", pastTheCap.Json["category"]!.GetValue<string>());
        Assert.Equal("error", pastTheCap.Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Search_WithIndexLag_ShowsAChangeOnlyAfterTheLag()
    {
        var time = new FakeTimeProvider(Start);
        await using var session = await SandboxSession.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.SearchIndexLag = TimeSpan.FromSeconds(3);
        });
        var id = session.Sandbox.Contacts.AddContact(new Dictionary<string, string?> { ["lifecyclestage"] = "lead" });
        var query = new { filterGroups = new[] { new { filters = new[] { new { propertyName = "lifecyclestage", @operator = "EQ", value = "lead" } } } } };

        var beforeIndexing = await session.SearchAsync(query);
        time.Advance(TimeSpan.FromSeconds(3));
        var indexed = await session.SearchAsync(query);
        session.Sandbox.Contacts.UpdateAsUser(id, new Dictionary<string, string?> { ["lifecyclestage"] = "customer" });
        var staleAfterChange = await session.SearchAsync(query);
        time.Advance(TimeSpan.FromSeconds(3));
        var fresh = await session.SearchAsync(query);

        Assert.Equal(0, beforeIndexing.Json["total"]!.GetValue<int>());
        Assert.Equal(1, indexed.Json["total"]!.GetValue<int>());
        Assert.Equal(1, staleAfterChange.Json["total"]!.GetValue<int>());
        Assert.Equal(0, fresh.Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Search_TooManyFilterGroups_Returns400()
    {
        await using var session = await StartIndexedAsync();
        var group = new { filters = new[] { new { propertyName = "email", @operator = "HAS_PROPERTY" } } };

        var result = await session.SearchAsync(new { filterGroups = Enumerable.Repeat(group, 6).ToArray() });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
    }

    [Fact]
    public async Task Search_MoreThanEighteenFilters_Returns400()
    {
        await using var session = await StartIndexedAsync();
        var group = new { filters = Enumerable.Repeat(new { propertyName = "email", @operator = "HAS_PROPERTY" }, 4).ToArray() };

        var allowed = await session.SearchAsync(new { filterGroups = Enumerable.Repeat(group, 4).ToArray() });
        var refused = await session.SearchAsync(new { filterGroups = Enumerable.Repeat(group, 5).ToArray() });

        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
    }

    [Fact]
    public async Task Search_TwoSorts_Returns400()
    {
        await using var session = await StartIndexedAsync();

        var result = await session.SearchAsync(new { sorts = new[] { "createdate", "-email" } });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
    }

    [Fact]
    public async Task Search_LimitOver200_Returns400()
    {
        await using var session = await StartIndexedAsync();

        var result = await session.SearchAsync(new { limit = 201 });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
    }

    [Fact]
    public async Task Search_BodyOver3000Characters_Returns400()
    {
        await using var session = await StartIndexedAsync();

        var result = await session.SearchAsync(new { properties = Enumerable.Range(0, 400).Select(i => $"prop_{i}").ToArray() });

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Contains("3000", result.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ASCENDING")]
    [InlineData("DESCENDING")]
    public async Task Search_SortedPagesOfALargeResult_MatchAFullSortWithValuelessContactsLast(string direction)
    {
        await using var session = await StartIndexedAsync();
        var expected = new List<(string Id, int? Employees)>();
        for (var i = 0; i < 1_000; i++)
        {
            int? employees = i % 10 == 0 ? null : (i * 7919) % 500;
            var properties = new Dictionary<string, string?> { ["numemployees"] = employees?.ToString() };
            expected.Add((session.Sandbox.Contacts.AddContact(properties), employees));
        }

        var withValue = expected.Where(e => e.Employees is not null);
        var ordered = (direction == "ASCENDING"
                ? withValue.OrderBy(e => e.Employees).ThenBy(e => long.Parse(e.Id))
                : withValue.OrderByDescending(e => e.Employees).ThenBy(e => long.Parse(e.Id)))
            .Concat(expected.Where(e => e.Employees is null))
            .Select(e => e.Id)
            .ToList();

        var pages = new List<string>();
        foreach (var after in new[] { 0, 30, 890, 990 })
        {
            var result = await session.SearchAsync(new
            {
                sorts = new[] { new { propertyName = "numemployees", direction } },
                limit = 10,
                after = after.ToString(),
            });
            Assert.Equal(ordered.Skip(after).Take(10), result.Results.Select(r => r!["id"]!.GetValue<string>()));
            pages.AddRange(result.Results.Select(r => r!["id"]!.GetValue<string>()));
        }

        Assert.Equal(40, pages.Distinct().Count());
    }
}
