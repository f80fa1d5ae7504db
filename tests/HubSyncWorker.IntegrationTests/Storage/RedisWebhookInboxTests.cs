using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HubSyncWorker.IntegrationTests.Storage;

[Collection("redis")]
public sealed class RedisWebhookInboxTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan DedupeTtl = TimeSpan.FromHours(25);
    private readonly RedisOptions _options = new() { KeyPrefix = RedisServerFixture.NewKeyPrefix() };
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync() => _connection = await redis.ConnectAsync();

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task AcceptAsync_NewEvents_QueuesTheirContactsAndMarksThemWithTheTtl()
    {
        var (inbox, queue) = NewInbox(_connection);

        var isNew = await inbox.AcceptAsync([new("e1", "101"), new("e2", "102"), new("e3", null)], WorkReason.Webhook, At, DedupeTtl, default);

        Assert.Equal([true, true, true], isNew);
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        Assert.Equal([new WorkItem("101", WorkReason.Webhook, At), new WorkItem("102", WorkReason.Webhook, At)], leased.Select(l => l.Item));
        var ttl = await _connection.GetDatabase().KeyTimeToLiveAsync(SingleKey("e3"));
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(24.9), DedupeTtl);
    }

    [Fact]
    public async Task AcceptAsync_RedeliveryOfSomeEvents_ReportsThemAsDuplicatesAndQueuesOnlyTheNewOnes()
    {
        var (inbox, queue) = NewInbox(_connection);
        await inbox.AcceptAsync([new("e1", "201"), new("e2", "202")], WorkReason.Webhook, At, DedupeTtl, default);
        await queue.AcknowledgeAsync(await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default), default);

        var isNew = await inbox.AcceptAsync([new("e2", "202"), new("e3", "203"), new("e1", "201")], WorkReason.Webhook, At, DedupeTtl, default);

        Assert.Equal([false, true, false], isNew);
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        Assert.Equal(["203"], leased.Select(l => l.Item.ContactId));
    }

    [Fact]
    public async Task AcceptAsync_SameContactInSeveralEvents_IsQueuedOnceAndEveryEventIsNew()
    {
        var (inbox, queue) = NewInbox(_connection);

        var isNew = await inbox.AcceptAsync([new("e1", "301"), new("e2", "301"), new("e3", "302")], WorkReason.Webhook, At, DedupeTtl, default);

        Assert.Equal([true, true, true], isNew);
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        Assert.Equal(["301", "302"], leased.Select(l => l.Item.ContactId));
        // One entry for the call: its contacts share the entry id and are acknowledged together.
        Assert.Single(leased.Select(l => l.EntryId).Distinct());
        await queue.AcknowledgeAsync(leased, default);
        Assert.Equal(new WorkQueueStats(0, 0, null), await queue.GetStatsAsync(default));
    }

    [Fact]
    public async Task AcceptTogetherAsync_KeyInTwoDeliveriesOfOneCall_IsNewForTheFirstOnlyAndItsContactQueuedOnce()
    {
        var (inbox, queue) = NewInbox(_connection);
        // Real time: an hour's expiry is computed from the arrival time, so a past date would expire the keys at once.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var occurred = now.AddMinutes(-5);
        RedisWebhookInbox.Delivery[] deliveries =
        [
            new([new("a", "801", occurred), new("b", "802", occurred.AddHours(-2)), new("c", "803")], WorkReason.Webhook, now, DedupeTtl),
            new([new("b", "802", occurred.AddHours(-2)), new("d", "804", occurred)], WorkReason.Webhook, now.AddSeconds(1), DedupeTtl),
            new([new("c", "803"), new("a", "801", occurred)], WorkReason.Webhook, now.AddSeconds(2), DedupeTtl),
        ];

        var answers = await inbox.AcceptTogetherAsync(deliveries);

        Assert.Equal([true, true, true], answers[0]);
        Assert.Equal([false, true], answers[1]);
        Assert.Equal([false, false], answers[2]);
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        Assert.Equal(["801", "802", "803", "804"], leased.Select(l => l.Item.ContactId).Order());
        // The entry records the earliest arrival of the deliveries it carries.
        Assert.All(leased, l => Assert.Equal(now, l.Item.EnqueuedAt));
        Assert.Equal([false, false, false, false], await inbox.AcceptAsync(
            [new("a", "801", occurred), new("b", "802", occurred.AddHours(-2)), new("c", "803"), new("d", "804", occurred)], WorkReason.Webhook, now.AddMinutes(1), DedupeTtl, default));
    }

    [Fact]
    public async Task AcceptAsync_ManyConcurrentDeliveriesWithOverlappingEvents_EachEventIsNewOnceAndEveryNewContactIsQueued()
    {
        var (inbox, queue) = NewInbox(_connection);
        var random = new Random(7);
        var now = DateTimeOffset.UtcNow;

        // 200 deliveries of 10 events drawn from 600 (so many are retries of others), all in flight at once: they share scripts.
        var deliveries = Enumerable.Range(0, 200)
            .Select(_ => Enumerable.Range(0, 600).OrderBy(_ => random.Next()).Take(10)
                .Select(n => new InboxEvent($"evt-{n}", $"9{n:000}", n % 5 == 0 ? null : now.AddMinutes(-(n % 120)))).ToArray())
            .ToArray();
        var answers = await Task.WhenAll(deliveries.Select(d => Task.Run(() => inbox.AcceptAsync(d, WorkReason.Webhook, now, DedupeTtl, default))));

        var events = deliveries.SelectMany(d => d).ToArray();
        var flags = answers.SelectMany(a => a).ToArray();
        var distinct = events.Select(e => e.DedupeId).Distinct().Count();
        Assert.Equal(distinct, flags.Count(f => f));
        Assert.All(events.Zip(flags).Where(p => p.Second).GroupBy(p => p.First.DedupeId), g => Assert.Single(g));
        var leased = new List<LeasedWorkItem>();
        while (await queue.ReadAsync("worker-a", 100, TimeSpan.Zero, default) is { Count: > 0 } batch)
        {
            leased.AddRange(batch);
        }

        Assert.Equal(events.Select(e => e.ContactId).Distinct().Order(), leased.Select(l => l.Item.ContactId).Distinct().Order());
    }

    [Fact]
    public async Task AcceptAsync_DeliveryArrivingAsTheOnlyLoopStops_IsTakenByThatLoop()
    {
        var (_, queue) = NewInbox(_connection);
        var now = DateTimeOffset.UtcNow;
        var late = new TaskCompletionSource<Task<IReadOnlyList<bool>>>(TaskCreationOptions.RunContinuationsAsynchronously);
        RedisWebhookInbox inbox = null!;

        // The loop has found the queue empty but still counts itself: a delivery arriving now starts no loop of its own
        // (the limit is reached), so the stopping loop must look again and take it.
        inbox = new RedisWebhookInbox(_connection, Options.Create(_options))
        {
            MaxCallsInFlight = 1,
            LoopIdle = () =>
            {
                if (!late.Task.IsCompleted)
                {
                    late.SetResult(inbox.AcceptAsync([new InboxEvent("late", "5501", now)], WorkReason.Webhook, now, DedupeTtl, default));
                }
            },
        };

        Assert.Equal([true], await inbox.AcceptAsync([new InboxEvent("first", "5500", now)], WorkReason.Webhook, now, DedupeTtl, default));
        var lateAnswer = await late.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([true], await lateAnswer.WaitAsync(TimeSpan.FromSeconds(10)));
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        Assert.Equal(["5500", "5501"], leased.Select(l => l.Item.ContactId));
    }

    [Fact]
    public async Task AcceptAsync_ManySendersWithPauses_EveryDeliveryIsAnsweredAndQueued()
    {
        var (inbox, queue) = NewInbox(_connection);
        var now = DateTimeOffset.UtcNow;

        // Eight senders, each one delivery at a time with pauses of 0-2 ms: loops keep starting and stopping as deliveries arrive,
        // and calls carry one delivery or several. A delivery never answered fails on the timeout.
        var senders = Enumerable.Range(0, 8).Select(sender => Task.Run(async () =>
        {
            var random = new Random(sender);
            for (var n = 0; n < 150; n++)
            {
                var answer = await inbox.AcceptAsync([new InboxEvent($"s{sender}-{n}", $"6{sender}{n:000}", now)], WorkReason.Webhook, now, DedupeTtl, default)
                    .WaitAsync(TimeSpan.FromSeconds(10));
                Assert.Equal([true], answer);
                if (random.Next(3) > 0)
                {
                    await Task.Delay(random.Next(3));
                }
            }
        }));
        await Task.WhenAll(senders);

        var leased = new List<LeasedWorkItem>();
        while (await queue.ReadAsync("worker-a", 100, TimeSpan.Zero, default) is { Count: > 0 } batch)
        {
            leased.AddRange(batch);
        }

        Assert.Equal(8 * 150, leased.Select(l => l.Item.ContactId).Distinct().Count());
    }

    [Fact]
    public async Task AcceptAsync_MoreContactsThanAnEntryHolds_SplitsThemAndAReadTakesWholeEntriesOfAboutTheCountAskedFor()
    {
        var (inbox, queue) = NewInbox(_connection);
        var count = RedisWebhookInbox.ContactsPerEntry + 30;
        InboxEvent[] delivery = [.. Enumerable.Range(0, count).Select(i => new InboxEvent($"evt-{i}", $"7{i:000}", At))];

        await inbox.AcceptAsync(delivery, WorkReason.Webhook, At, DedupeTtl, default);

        var first = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        var second = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        Assert.Equal(RedisWebhookInbox.ContactsPerEntry, first.Count);
        Assert.Equal(30, second.Count);
        Assert.Equal(delivery.Select(e => e.ContactId), first.Concat(second).Select(l => l.Item.ContactId));
        Assert.Empty(await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default));
    }

    [Fact]
    public async Task AcceptAsync_ManyContactsSomeAlreadySeen_QueuesEachNewContactOnceInEntriesOfAtMostTheEntrySize()
    {
        // The script's path for a call holding duplicates: it builds the entries itself from the new keys' contacts.
        var (inbox, queue) = NewInbox(_connection);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await inbox.AcceptAsync([new("evt-5", "7005", now), new("evt-140", "7140")], WorkReason.Webhook, now, DedupeTtl, default);
        await queue.AcknowledgeAsync(await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default), default);
        var count = (RedisWebhookInbox.ContactsPerEntry * 2) + 10;
        InboxEvent[] delivery =
        [
            .. Enumerable.Range(0, count).Select(i => new InboxEvent($"evt-{i}", i % 7 == 3 ? null : $"7{i % 150:000}", i < 100 ? now : null)),
        ];

        var isNew = await inbox.AcceptAsync(delivery, WorkReason.Webhook, now, DedupeTtl, default);

        Assert.Equal(Enumerable.Range(0, count).Select(i => i is not (5 or 140)), isNew);
        var leased = new List<LeasedWorkItem>();
        for (var read = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default); read.Count > 0; read = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default))
        {
            Assert.InRange(read.Count, 1, RedisWebhookInbox.ContactsPerEntry);
            leased.AddRange(read);
        }

        var expected = delivery.Where((e, i) => isNew[i] && e.ContactId is not null).Select(e => e.ContactId!).Distinct();
        Assert.Equal(expected, leased.Select(l => l.Item.ContactId));
        Assert.All(leased, l => Assert.Equal(new WorkItem(l.Item.ContactId, WorkReason.Webhook, now), l.Item));
    }

    [Fact]
    public async Task AcceptAsync_EntriesOfEitherPath_HaveTheOneEntryFormat()
    {
        // The first call is all new (the caller's ready-made entries), the second repeats an event (the script builds them).
        var (inbox, queue) = NewInbox(_connection);
        await inbox.AcceptAsync([new("e1", "901"), new("e2", "902"), new("e3", "901")], WorkReason.Webhook, At, DedupeTtl, default);
        await inbox.AcceptAsync([new("e2", "902"), new("e4", "904"), new("e5", "905")], WorkReason.Webhook, At.AddSeconds(1), DedupeTtl, default);

        var entries = await _connection.GetDatabase().StreamRangeAsync(_options.KeyPrefix + _options.QueueStreamName);

        Assert.Equal(
            [$"c=901,902 r=Webhook t={At.ToUnixTimeMilliseconds()}", $"c=904,905 r=Webhook t={At.AddSeconds(1).ToUnixTimeMilliseconds()}"],
            entries.Select(e => string.Join(" ", e.Values.Select(v => $"{v.Name}={v.Value}"))));
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        Assert.Equal(["901", "902", "904", "905"], leased.Select(l => l.Item.ContactId));
    }

    [Theory]
    [InlineData("12,34")]
    [InlineData(null)]
    public async Task AcceptAsync_ContactIdWithACommaOrEventWithoutIdentity_IsRefusedBeforeAnythingIsSent(string? contactId)
    {
        var (inbox, queue) = NewInbox(_connection);
        InboxEvent bad = contactId is null ? default : new("e1", contactId);

        await Assert.ThrowsAsync<ArgumentException>(() => inbox.AcceptAsync([new("e0", "11"), bad], WorkReason.Webhook, At, DedupeTtl, default));

        Assert.Equal(new WorkQueueStats(0, 0, null), await queue.GetStatsAsync(default));
    }

    [Fact]
    public async Task AcceptAsync_SameDeliveryFromTwoReplicasAtOnce_QueuesEachContactOnceAndOneReplicaSeesItNew()
    {
        await using var second = await redis.ConnectAsync();
        var (inboxA, queue) = NewInbox(_connection);
        var (inboxB, _) = NewInbox(second);
        InboxEvent[] delivery = [.. Enumerable.Range(0, 50).Select(i => new InboxEvent($"evt-{i}", $"4{i:00}"))];

        var results = await Task.WhenAll(
            inboxA.AcceptAsync(delivery, WorkReason.Webhook, At, DedupeTtl, default),
            inboxB.AcceptAsync(delivery, WorkReason.Webhook, At, DedupeTtl, default));

        // One script is atomic: one replica took the whole delivery, the other found every event already there.
        Assert.Equal(50, results.Sum(r => r.Count(n => n)));
        Assert.Contains(results, r => r.All(n => n));
        var leased = await queue.ReadAsync("worker-a", 100, TimeSpan.Zero, default);
        Assert.Equal(delivery.Select(e => e.ContactId), leased.Select(l => l.Item.ContactId));
    }

    [Fact]
    public async Task AcceptAsync_RedisStopped_ThrowsStorageUnavailableAndTheRetryAfterRestartIsProcessed()
    {
        await using var connection = await redis.ConnectFastFailAsync();
        var (inbox, queue) = NewInbox(connection);

        await redis.StopAsync();
        try
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(
                () => inbox.AcceptAsync([new("e1", "501")], WorkReason.Webhook, At, DedupeTtl, default).WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            await redis.StartAsync();
        }

        var retried = await Eventually.SucceedsAsync(
            () => inbox.AcceptAsync([new("e1", "501")], WorkReason.Webhook, At, DedupeTtl, default),
            TimeSpan.FromSeconds(30),
            "accept after the restart");

        Assert.Equal([true], retried);
        var leased = await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default);
        Assert.Equal("501", Assert.Single(leased).Item.ContactId);
    }

    [Fact]
    public async Task AcceptAsync_EnqueueFailsPartWay_EventsNotQueuedAreNotMarkedAndTheirMarkersAreRemoved()
    {
        var (inbox, queue) = NewInbox(_connection);
        var db = _connection.GetDatabase();
        var stream = (RedisKey)(_options.KeyPrefix + _options.QueueStreamName);
        await db.StringSetAsync(stream, "not a stream");

        await Assert.ThrowsAsync<RedisServerException>(
            () => inbox.AcceptAsync([new("e1", "601"), new("e2", null)], WorkReason.Webhook, At, DedupeTtl, default));

        Assert.False(await db.KeyExistsAsync(SingleKey("e1")));
        Assert.False(await db.HashExistsAsync((RedisKey)(_options.KeyPrefix + _options.QueueStreamName + ":waiting"), "601"));
        await db.KeyDeleteAsync(stream);
        Assert.Equal([true, true], await inbox.AcceptAsync([new("e1", "601"), new("e2", null)], WorkReason.Webhook, At, DedupeTtl, default));
        Assert.Equal("601", Assert.Single(await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default)).Item.ContactId);
    }

    [Fact]
    public async Task AcceptAsync_RedisOutOfMemory_ThrowsStorageUnavailableAndNothingIsMarked()
    {
        var (inbox, queue) = NewInbox(_connection);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var db = admin.GetDatabase();
        await db.ExecuteAsync("CONFIG", "SET", "maxmemory", "1");
        try
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(
                () => inbox.AcceptAsync([new("e1", "701")], WorkReason.Webhook, At, DedupeTtl, default));
        }
        finally
        {
            await db.ExecuteAsync("CONFIG", "SET", "maxmemory", "0");
        }

        Assert.Equal([true], await inbox.AcceptAsync([new("e1", "701")], WorkReason.Webhook, At, DedupeTtl, default));
        Assert.Equal("701", Assert.Single(await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default)).Item.ContactId);
    }

    [Fact]
    public async Task AcceptAsync_EventsWithTheirTime_AreFiledUnderTheirHourWhichExpiresTheTtlAfterTheHourOrTheLastArrival()
    {
        var (inbox, queue) = NewInbox(_connection);
        var now = DateTimeOffset.UtcNow;
        var occurred = now.AddMinutes(-30);
        var hour = occurred.ToUnixTimeMilliseconds() / 3_600_000;
        var hourEnd = DateTimeOffset.FromUnixTimeMilliseconds((hour + 1) * 3_600_000);
        var hash = (RedisKey)($"{_options.KeyPrefix}dedupe:hour:{hour}");
        var db = _connection.GetDatabase();

        var first = await inbox.AcceptAsync([new("e1", "1001", occurred), new("e2", "1002", occurred.AddSeconds(1))], WorkReason.Webhook, now, DedupeTtl, default);
        var expiryAfterFirst = (await db.KeyExpireTimeAsync(hash))!.Value;
        var retry = await inbox.AcceptAsync([new("e2", "1002", occurred.AddSeconds(1)), new("e3", "1003", occurred)], WorkReason.Webhook, now.AddHours(20), DedupeTtl, default);

        Assert.Equal([true, true], first);
        Assert.Equal([false, true], retry);
        Assert.Equal(
            new[] { "e1", "e2", "e3" }.Select(k => Convert.ToHexString(RedisWebhookInbox.Field(k))).Order(),
            (await db.HashKeysAsync(hash)).Select(k => Convert.ToHexString((byte[])k!)).Order());
        Assert.Equal((hourEnd > now ? hourEnd : now) + DedupeTtl, expiryAfterFirst, TimeSpan.FromSeconds(1));
        // A key added 20 hours later must itself be remembered a whole TTL: the hour's expiry moves out.
        Assert.Equal(now.AddHours(20) + DedupeTtl, (await db.KeyExpireTimeAsync(hash))!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(["1001", "1002", "1003"], (await queue.ReadAsync("worker-a", 10, TimeSpan.Zero, default)).Select(l => l.Item.ContactId));
    }

    [Fact]
    public async Task AcceptAsync_EventOlderThanTheTtl_IsStillRememberedForTheTtlFromNow()
    {
        var (inbox, _) = NewInbox(_connection);
        var now = DateTimeOffset.UtcNow;
        var occurred = now.AddDays(-3);

        await inbox.AcceptAsync([new("old", "1101", occurred)], WorkReason.Webhook, now, DedupeTtl, default);

        var hash = (RedisKey)($"{_options.KeyPrefix}dedupe:hour:{occurred.ToUnixTimeMilliseconds() / 3_600_000}");
        Assert.Equal(now + DedupeTtl, (await _connection.GetDatabase().KeyExpireTimeAsync(hash))!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal([false], await inbox.AcceptAsync([new("old", "1101", occurred)], WorkReason.Webhook, now.AddHours(1), DedupeTtl, default));
    }

    [Fact]
    public async Task AcceptAsync_EnqueueFailsForAnEventWithItsTime_ItsFieldIsRemovedAgain()
    {
        var (inbox, _) = NewInbox(_connection);
        var db = _connection.GetDatabase();
        var stream = (RedisKey)(_options.KeyPrefix + _options.QueueStreamName);
        await db.StringSetAsync(stream, "not a stream");
        var occurred = DateTimeOffset.UtcNow;

        await Assert.ThrowsAsync<RedisServerException>(
            () => inbox.AcceptAsync([new("e1", "1201", occurred)], WorkReason.Webhook, occurred, DedupeTtl, default));

        var hash = (RedisKey)($"{_options.KeyPrefix}dedupe:hour:{occurred.ToUnixTimeMilliseconds() / 3_600_000}");
        Assert.False(await db.HashExistsAsync(hash, RedisWebhookInbox.Field("e1")));
    }

    [Fact]
    public async Task AcceptAsync_ManyCallsOfVaryingShapeThroughOneInbox_AnswersEachAsAModelOfTheRememberedKeys()
    {
        // The commit loop reuses its call plan (tables, field buffers, entry lists) from call to call and across loops: calls of
        // different sizes, hours, timeless keys, repeats within and across calls and concurrent deliveries must each be answered
        // exactly as if planned afresh.
        var (inbox, queue) = NewInbox(_connection);
        var random = new Random(20261201);
        var now = DateTimeOffset.UtcNow; // Redis expires the hour hashes by its own clock
        var remembered = new HashSet<string>(StringComparer.Ordinal);
        var queuedContacts = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < 40; round++)
        {
            var deliveries = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Enumerable.Range(0, random.Next(1, 30)).Select(_ =>
            {
                var key = $"k{random.Next(0, 400)}";
                var hour = random.Next(0, 4);
                DateTimeOffset? occurred = hour == 3 ? null : now.AddHours(-hour);
                return new InboxEvent($"{key}@{hour}", random.Next(5) == 0 ? null : $"c{random.Next(0, 60)}", occurred);
            }).ToList()).ToList();

            var answers = await Task.WhenAll(deliveries.Select(d => inbox.AcceptAsync(d, WorkReason.Webhook, now, DedupeTtl, default)));

            var seenThisRound = new HashSet<string>(StringComparer.Ordinal);
            for (var d = 0; d < deliveries.Count; d++)
            {
                for (var i = 0; i < deliveries[d].Count; i++)
                {
                    var e = deliveries[d][i];
                    var id = e.DedupeId.ToString();
                    var expectedNew = !remembered.Contains(id) && !seenThisRound.Contains(id);
                    Assert.True(expectedNew == answers[d][i], $"round {round}, delivery {d}, event {i} ({e.OccurredAt}): expected new={expectedNew}");
                    seenThisRound.Add(id);
                    if (expectedNew && e.ContactId is { } contact)
                    {
                        queuedContacts.Add(contact);
                    }
                }
            }

            remembered.UnionWith(seenThisRound);
        }

        var leased = await queue.ReadAsync("worker-a", 100_000, TimeSpan.Zero, default);
        Assert.Equal(queuedContacts.Order(StringComparer.Ordinal), leased.Select(l => l.Item.ContactId).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>Where an event without a time is remembered: the dedupe prefix and the key's 16-byte hash.</summary>
    private RedisKey SingleKey(string dedupeKey) =>
        (RedisKey)System.Text.Encoding.UTF8.GetBytes(_options.KeyPrefix + "dedupe:").Concat(RedisWebhookInbox.Field(dedupeKey)).ToArray();

    private (RedisWebhookInbox Inbox, RedisWorkQueue Queue) NewInbox(IConnectionMultiplexer connection)
    {
        var options = Options.Create(_options);
        return (new RedisWebhookInbox(connection, options), new RedisWorkQueue(connection, options, TimeProvider.System, NullLogger<RedisWorkQueue>.Instance));
    }
}
