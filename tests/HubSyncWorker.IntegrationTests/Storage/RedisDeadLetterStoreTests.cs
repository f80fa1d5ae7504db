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

    [Fact]
    public async Task AddAsync_BeyondTheCap_TheEntryPushedOutLeavesTheContactIndex()
    {
        var (store, prefix) = NewStoreWithPrefix(maxEntries: 2);
        await store.AddAsync(Letter("41", At), default);
        await store.AddAsync(Letter("42", At), default);
        await store.AddAsync(Letter("42", At.AddMinutes(1)), default);

        var index = await _connection.GetDatabase().HashGetAllAsync(prefix + "deadletters:contacts");

        Assert.Equal([("42", 2L)], index.Select(e => ((string)e.Name!, (long)e.Value)));
    }

    [Fact]
    public async Task RemoveContactAsync_ContactWithoutLetters_LeavesEveryOtherLetter()
    {
        var (store, prefix) = NewStoreWithPrefix();
        await store.AddAsync(Letter("61", At), default);
        await store.AddAsync(Letter("62", At), default);

        await store.RemoveContactAsync("63", default);
        await store.RemoveContactAsync("6", default);

        Assert.Equal(["62", "61"], (await store.ListAsync(10, default)).Select(l => l.ContactId));
        Assert.Equal(2, await store.CountAsync(default));
        Assert.Equal(2, await _connection.GetDatabase().HashLengthAsync(prefix + "deadletters:contacts"));
    }

    [Fact]
    public async Task RemoveAsync_ListedLetters_DropsExactlyThoseAndKeepsOrderIndexAndLaterLetters()
    {
        var (store, prefix) = NewStoreWithPrefix();
        await store.AddAsync(Letter("71", At), default);
        await store.AddAsync(Letter("72", At.AddMinutes(1)), default);
        await store.AddAsync(Letter("73", At.AddMinutes(2)), default);
        var listed = await store.ListAsync(10, default);
        // Recorded after the listing, for a contact being removed: it must stay (the contact failed again).
        await store.AddAsync(Letter("71", At.AddMinutes(3)), default);

        var removed = await store.RemoveAsync([listed[0], listed[2]], default);

        Assert.Equal(2, removed);
        var left = await store.ListAsync(10, default);
        Assert.Equal([("71", At.AddMinutes(3)), ("72", At.AddMinutes(1))], left.Select(l => (l.ContactId, l.At)));
        Assert.Equal(2, await store.CountAsync(default));
        var index = await _connection.GetDatabase().HashGetAllAsync(prefix + "deadletters:contacts");
        Assert.Equal([("71", 1L), ("72", 1L)], index.Select(e => ((string)e.Name!, (long)e.Value)).Order());
    }

    [Fact]
    public async Task RemoveAsync_LettersNoLongerHeld_RemovesNothing()
    {
        var store = NewStore();
        await store.AddAsync(Letter("81", At), default);
        var listed = await store.ListAsync(10, default);
        await store.RemoveContactAsync("81", default);
        await store.AddAsync(Letter("82", At), default);

        Assert.Equal(0, await store.RemoveAsync(listed, default));
        Assert.Equal(0, await store.RemoveAsync([Letter("82", At.AddSeconds(1))], default));
        Assert.Equal(["82"], (await store.ListAsync(10, default)).Select(l => l.ContactId));
        Assert.Equal(1, await store.CountAsync(default));
    }

    private static DeadLetter Letter(string contactId, DateTimeOffset at) => new(
        contactId,
        new Dictionary<string, string> { ["hubsync_mql_score"] = "87", ["lifecyclestage"] = "marketingqualifiedlead" },
        "VALIDATION_ERROR",
        "Property values were not valid",
        at);

    private RedisDeadLetterStore NewStore(int maxEntries = 100) => NewStoreWithPrefix(maxEntries).Store;

    private (RedisDeadLetterStore Store, string Prefix) NewStoreWithPrefix(int maxEntries = 100)
    {
        var prefix = RedisServerFixture.NewKeyPrefix();
        return (new(_connection, Options.Create(new RedisOptions { KeyPrefix = prefix, DeadLetterMaxEntries = maxEntries })), prefix);
    }
}
