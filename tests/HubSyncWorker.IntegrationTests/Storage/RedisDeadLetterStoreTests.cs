using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.IntegrationTests.Storage;

[Collection("redis")]
public sealed class RedisDeadLetterStoreTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await redis.ConnectAsync();

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task ListAsync_AfterAdds_ReturnsNewestFirstWithEveryField()
    {
        var store = NewStore();
        var first = Letter("11", At);
        var second = Letter("12", At.AddMinutes(1));
        await store.AddAsync(first, default);
        await store.AddAsync(second, default);

        var listed = await store.ListAsync(10, default);

        Assert.Equal(["12", "11"], listed.Select(l => l.ContactId));
        Assert.Equal(second.Properties, listed[0].Properties);
        Assert.Equal((second.Category, second.Message, second.At), (listed[0].Category, listed[0].Message, listed[0].At));
        Assert.Equal(2, await store.CountAsync(default));
        Assert.Single(await store.ListAsync(1, default));
    }

    [Fact]
    public async Task RemoveContactAsync_ContactWithSeveralLetters_DropsOnlyThatContactsLetters()
    {
        var store = NewStore();
        await store.AddAsync(Letter("21", At), default);
        await store.AddAsync(Letter("22", At), default);
        await store.AddAsync(Letter("21", At.AddMinutes(1)), default);

        await store.RemoveContactAsync("21", default);

        Assert.Equal(["22"], (await store.ListAsync(10, default)).Select(l => l.ContactId));
        Assert.Equal(1, await store.CountAsync(default));
    }

    [Fact]
    public async Task AddAsync_BeyondTheCap_KeepsNewestAndCountsAll()
    {
        var store = NewStore(maxEntries: 2);
        await store.AddAsync(Letter("31", At), default);
        await store.AddAsync(Letter("32", At), default);
        await store.AddAsync(Letter("33", At), default);

        Assert.Equal(["33", "32"], (await store.ListAsync(10, default)).Select(l => l.ContactId));
        Assert.Equal(3, await store.CountAsync(default));
    }

    private static DeadLetter Letter(string contactId, DateTimeOffset at) => new(
        contactId,
        new Dictionary<string, string> { ["hubsync_mql_score"] = "87", ["lifecyclestage"] = "marketingqualifiedlead" },
        "VALIDATION_ERROR",
        "Property values were not valid",
        at);

    private RedisDeadLetterStore NewStore(int maxEntries = 100) =>
        new(_connection, Options.Create(new RedisOptions { KeyPrefix = RedisServerFixture.NewKeyPrefix(), DeadLetterMaxEntries = maxEntries }));
}
