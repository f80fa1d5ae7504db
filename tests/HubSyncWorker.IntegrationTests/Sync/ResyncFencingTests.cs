using HubSyncWorker.Admin;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>
/// Fencing of the full resync (real Redis, the sandbox): a pod paused past its lock while another takes the resync over writes
/// neither contacts nor the shared cursor once it wakes, and its run ends as LockLost, never stuck "Running".
/// </summary>
[Collection("redis")]
public sealed class ResyncFencingTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int Contacts = 1000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    // A lock of 8 s (so the takeover comes quickly), and HubSpot calls that end within it, as the start-up check demands. Shorter
    // (3 s, attempts of 1 s) failed now and then on busy CI cores: a slow attempt or renewal, not the fencing, ended a run.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Sync:ResyncLockTtl"] = "00:00:08",
        ["HubSpot:AttemptTimeout"] = "00:00:03",
        ["HubSpot:TotalTimeout"] = "00:00:06",
        ["HubSpot:TenSecondlyRetryDelay"] = "00:00:01",
        ["Sync:ResyncMaxPendingAge"] = "00:00:00",
    };

    [Theory]
    [InlineData(FreezePoint.CheckpointWrite)]
    [InlineData(FreezePoint.FencingCheckBeforeAWrite)]
    public async Task RunAsync_PodPausedPastItsLockWhileAnotherTakesOver_NoWriteAndNoCheckpointFromThePausedPodAfterTheTakeover(FreezePoint freezeAt)
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var ids = PortalSeed.Seed(sandbox, Contacts, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        var takeover = new Takeover();
        var paused = new Freezer();
        var secondHeld = new Freezer();
        PausedPodClient? pausedClient = null;
        PausedPodClient? secondClient = null;
        using var pausedPod = SyncHost.Build(sandbox, redis.ConnectionString, prefix, Settings, services =>
            services.AddSingleton<IHubSpotCrmClient>(sp => pausedClient = new PausedPodClient(ActivatorUtilities.CreateInstance<HubSpotCrmClient>(sp), paused, takeover, freezeAtList: 0)));
        using var secondPod = SyncHost.Build(sandbox, redis.ConnectionString, prefix, Settings, services =>
            services.AddSingleton<IHubSpotCrmClient>(sp => secondClient = new PausedPodClient(ActivatorUtilities.CreateInstance<HubSpotCrmClient>(sp), secondHeld, takeover, freezeAtList: 3)));
        await pausedPod.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        // The first pod freezes at its third checkpoint write, or at the fencing check of its third write: from then on every
        // lock, checkpoint and list call it makes waits (a frozen process observes nothing, cancellation included).
        var pausedLock = new FreezableLock(pausedPod.Services.GetRequiredService<IDistributedLock>(), paused, freezeAtCheck: freezeAt == FreezePoint.FencingCheckBeforeAWrite ? 3 : 0, onAcquired: null);
        var pausedCheckpoints = new FreezableCheckpoints(pausedPod.Services.GetRequiredService<ICheckpointStore>(), paused, takeover, freezeAtSet: freezeAt == FreezePoint.CheckpointWrite ? 3 : 0);
        var pausedResync = ActivatorUtilities.CreateInstance<FullResync>(pausedPod.Services, pausedLock, pausedCheckpoints);
        var runner = ActivatorUtilities.CreateInstance<AdminResyncRunner>(pausedPod.Services, pausedResync);
        Assert.NotNull(runner.TryStart(dryRun: false));
        await paused.Frozen.Task.WaitAsync(Deadline);
        var before = (Updates: pausedClient!.Updates, Checkpoints: pausedCheckpoints.Accepted);

        // The second pod waits for the lock, takes it once the frozen pod's lease has run out, resumes from its checkpoint, and
        // is held at its third list call (two pages and two checkpoints in), still holding the lock.
        var secondCheckpoints = new FreezableCheckpoints(secondPod.Services.GetRequiredService<ICheckpointStore>(), new Freezer(), takeover, freezeAtSet: 0);
        var secondLock = new FreezableLock(secondPod.Services.GetRequiredService<IDistributedLock>(), new Freezer(), freezeAtCheck: 0, onAcquired: takeover.Happened);
        var secondResync = ActivatorUtilities.CreateInstance<FullResync>(secondPod.Services, secondLock, secondCheckpoints);
        var second = secondResync.RunAsync(dryRun: false, waitForLock: true, default);
        await secondCheckpoints.SecondAccepted.Task.WaitAsync(Deadline);
        await secondHeld.Frozen.Task.WaitAsync(Deadline);
        var secondsCheckpoint = await ReadCheckpointAsync(prefix);

        // The first pod wakes while the second holds the lock.
        paused.Thaw();
        var status = await Eventually.ReturnsAsync(() => Task.FromResult(runner.Status), s => s.LastRun?.Outcome is not null, Deadline, "the paused pod's run ends");
        var checkpointAfterWake = await ReadCheckpointAsync(prefix);

        secondHeld.Thaw();
        var secondResult = await second.WaitAsync(Deadline);

        output.WriteLine($"Paused pod: {before.Updates} batch updates and {before.Checkpoints} checkpoints before it froze; after the takeover: "
            + $"{pausedClient.UpdatesAfterTakeover} batch updates, {pausedCheckpoints.AcceptedAfterTakeover} checkpoints written, {pausedCheckpoints.RefusedAfterTakeover} refused; "
            + $"outcome {status.LastRun!.Outcome} ({status.LastRun.Error}). Second pod: {secondResult.Outcome}, {secondResult.Writes.Written} written, {secondClient!.Updates} batch updates.");
        Assert.Equal(ResyncOutcome.LockLost, status.LastRun.Outcome);
        Assert.False(status.Progress.Running);
        Assert.Equal(0, pausedClient.UpdatesAfterTakeover);
        Assert.Equal(0, pausedCheckpoints.AcceptedAfterTakeover);
        Assert.Equal(secondsCheckpoint, checkpointAfterWake);
        Assert.True(before.Updates > 0, "the paused pod wrote before it froze");

        // The admin endpoint's next POST /admin/resync is accepted (it answers 409 only while a run is going on in this process).
        var next = runner.TryStart(dryRun: false);
        Assert.NotNull(next);
        await Eventually.ReturnsAsync(() => Task.FromResult(runner.Status), s => s.LastRun?.Id == next.Id && s.LastRun.Outcome is not null, Deadline, "the next run ends");

        Assert.True(secondResult.Outcome == ResyncOutcome.Completed, $"{secondResult.Outcome}: {secondResult.Error}");
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status")), $"contact {id} was skipped"));
        Assert.Null(await ReadCheckpointAsync(prefix));
    }

    [Fact]
    public async Task RunAsync_LockTakenOverJustBeforeTheFirstWrite_EndsLockLostWithoutWritingAndIsNoLongerRunning()
    {
        // The regression: the fencing check before a write threw a bare cancellation, so the run stayed "Running" and every later
        // POST /admin/resync answered 409. Here the lease keeper has not noticed anything yet (its next renewal is 50 s away).
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        PortalSeed.Seed(sandbox, 300, DateTimeOffset.UtcNow);
        var prefix = RedisServerFixture.NewKeyPrefix();
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix, new Dictionary<string, string?> { ["Sync:ResyncMaxPendingAge"] = "00:00:00" });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        await using var connection = await redis.ConnectAsync();
        var takenOver = new TakenOverAtTheFirstCheck(host.Services.GetRequiredService<IDistributedLock>(), () =>
            connection.GetDatabase().StringSetAsync(prefix + "lock:" + FullResync.LockName, "999:another-pod", TimeSpan.FromMinutes(1)));
        var resync = ActivatorUtilities.CreateInstance<FullResync>(host.Services, takenOver);
        sandbox.Stats.Reset();

        var result = await resync.RunAsync(dryRun: false, waitForLock: false, default);

        Assert.True(result.Outcome == ResyncOutcome.LockLost, $"{result.Outcome}: {result.Error}");
        Assert.False(resync.Progress.Running);
        Assert.Equal(ResyncOutcome.LockLost, resync.Progress.LastOutcome);
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate));
    }

    [Fact]
    public async Task RunAsync_IncrementalSyncWhoseLeaseWasTakenOver_RefusesItsCheckpointAndEndsLockLost()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10));
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { EnforceRateLimits = false, TimeProvider = clock }, default);
        PortalSeed.Seed(sandbox, 3, clock.GetUtcNow());
        clock.Advance(sandbox.Options.SearchIndexLag);
        var prefix = RedisServerFixture.NewKeyPrefix();
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, prefix);
        var locks = host.Services.GetRequiredService<IDistributedLock>();
        var checkpoints = host.Services.GetRequiredService<ICheckpointStore>();
        var paused = (await locks.TryAcquireAsync(HubSyncWorker.Scheduling.IncrementalSyncJob.LockName, TimeSpan.FromMinutes(1), default))!;
        await using (var connection = await redis.ConnectAsync())
        {
            // The paused replica's lease expires (deleted here) and another replica takes the lock and moves the checkpoint on.
            await connection.GetDatabase().KeyDeleteAsync(prefix + "lock:" + HubSyncWorker.Scheduling.IncrementalSyncJob.LockName);
        }

        await using var current = (await locks.TryAcquireAsync(HubSyncWorker.Scheduling.IncrementalSyncJob.LockName, TimeSpan.FromMinutes(1), default))!;
        var currents = DateTimeOffset.UtcNow.AddMinutes(-20).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await checkpoints.TrySetAsync(IncrementalSync.CheckpointName, currents, current, default));

        // The paused replica wakes, finds the contacts modified since, and would move the checkpoint: refused.
        await Assert.ThrowsAsync<LockLostException>(() => host.Services.GetRequiredService<IncrementalSync>().RunAsync(paused, default));

        Assert.Equal(currents, await checkpoints.GetAsync(IncrementalSync.CheckpointName, default));
    }

    public enum FreezePoint
    {
        CheckpointWrite,
        FencingCheckBeforeAWrite,
    }

    private async Task<string?> ReadCheckpointAsync(string prefix)
    {
        await using var connection = await redis.ConnectAsync();
        return await connection.GetDatabase().StringGetAsync(prefix + "checkpoint:" + FullResync.CheckpointName(dryRun: false));
    }

    /// <summary>The real lock; another process takes it over at the first fencing check, before that check asks Redis.</summary>
    private sealed class TakenOverAtTheFirstCheck(IDistributedLock inner, Func<Task> takeOver) : IDistributedLock
    {
        private int _checks;

        public async Task<ILockLease?> TryAcquireAsync(string name, TimeSpan ttl, CancellationToken cancellationToken) =>
            await inner.TryAcquireAsync(name, ttl, cancellationToken) is { } lease ? new Lease(lease, this) : null;

        private sealed class Lease(ILockLease inner, TakenOverAtTheFirstCheck owner) : ILockLease
        {
            public string Name => inner.Name;

            public long FencingToken => inner.FencingToken;

            public Task<bool> RenewAsync(CancellationToken cancellationToken) => inner.RenewAsync(cancellationToken);

            public async Task<bool> IsStillHeldAsync(CancellationToken cancellationToken)
            {
                if (Interlocked.Increment(ref owner._checks) == 1)
                {
                    await owner.TakeOverAsync();
                }

                return await inner.IsStillHeldAsync(cancellationToken);
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }

        private Task TakeOverAsync() => takeOver();
    }

    /// <summary>Set once the second pod holds the lock.</summary>
    private sealed class Takeover
    {
        private volatile bool _happened;

        public bool HasHappened => _happened;

        public void Happened() => _happened = true;
    }

    /// <summary>Freezes a pod: once frozen, every call that asks waits until <see cref="Thaw"/>, ignoring cancellation.</summary>
    private sealed class Freezer
    {
        private readonly TaskCompletionSource _thawed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _frozen;

        public TaskCompletionSource Frozen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Freeze()
        {
            _frozen = true;
            Frozen.TrySetResult();
        }

        public void Thaw() => _thawed.TrySetResult();

        public Task WhileFrozenAsync() => _frozen ? _thawed.Task : Task.CompletedTask;
    }

    /// <summary>The real client; counts batch updates (and those after the takeover); list calls wait while the pod is frozen.</summary>
    private sealed class PausedPodClient(IHubSpotCrmClient inner, Freezer freezer, Takeover takeover, int freezeAtList) : DelegatingCrmClient(inner)
    {
        private int _lists;
        private int _updates;
        private int _updatesAfterTakeover;

        public int Updates => Volatile.Read(ref _updates);

        public int UpdatesAfterTakeover => Volatile.Read(ref _updatesAfterTakeover);

        public override async Task<ContactPage> ListContactsAsync(ContactListQuery query, CancellationToken cancellationToken)
        {
            var page = await base.ListContactsAsync(query, cancellationToken);
            if (Interlocked.Increment(ref _lists) == freezeAtList)
            {
                freezer.Freeze();
            }

            await freezer.WhileFrozenAsync();
            return page;
        }

        public override Task<BatchUpdateResult> BatchUpdateContactsAsync(IReadOnlyCollection<ContactUpdate> updates, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _updates);
            if (takeover.HasHappened)
            {
                Interlocked.Increment(ref _updatesAfterTakeover);
            }

            return base.BatchUpdateContactsAsync(updates, cancellationToken);
        }
    }

    /// <summary>The real lock; its lease's renewals and fencing checks wait while the pod is frozen.</summary>
    private sealed class FreezableLock(IDistributedLock inner, Freezer freezer, int freezeAtCheck, Action? onAcquired) : IDistributedLock
    {
        private int _checks;

        private Freezer Freezer => freezer;

        /// <summary>Counts fencing checks; the one numbered freezeAtCheck freezes the pod.</summary>
        private void Check()
        {
            if (Interlocked.Increment(ref _checks) == freezeAtCheck)
            {
                freezer.Freeze();
            }
        }

        public async Task<ILockLease?> TryAcquireAsync(string name, TimeSpan ttl, CancellationToken cancellationToken)
        {
            var lease = await inner.TryAcquireAsync(name, ttl, cancellationToken);
            if (lease is null)
            {
                return null;
            }

            onAcquired?.Invoke();
            return new Lease(lease, this);
        }

        private sealed class Lease(ILockLease inner, FreezableLock owner) : ILockLease
        {
            public string Name => inner.Name;

            public long FencingToken => inner.FencingToken;

            public async Task<bool> RenewAsync(CancellationToken cancellationToken)
            {
                await owner.Freezer.WhileFrozenAsync();
                return await inner.RenewAsync(cancellationToken);
            }

            public async Task<bool> IsStillHeldAsync(CancellationToken cancellationToken)
            {
                owner.Check();
                await owner.Freezer.WhileFrozenAsync();
                return await inner.IsStillHeldAsync(cancellationToken);
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    /// <summary>The real checkpoint store; counts fenced writes (accepted, refused, after the takeover); they wait while the pod is frozen.</summary>
    private sealed class FreezableCheckpoints(ICheckpointStore inner, Freezer freezer, Takeover takeover, int freezeAtSet) : ICheckpointStore
    {
        private int _sets;
        private int _accepted;
        private int _acceptedAfterTakeover;
        private int _refusedAfterTakeover;

        public int Accepted => Volatile.Read(ref _accepted);

        public int AcceptedAfterTakeover => Volatile.Read(ref _acceptedAfterTakeover);

        public int RefusedAfterTakeover => Volatile.Read(ref _refusedAfterTakeover);

        public TaskCompletionSource SecondAccepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string?> GetAsync(string name, CancellationToken cancellationToken) => inner.GetAsync(name, cancellationToken);

        public Task SetAsync(string name, string value, CancellationToken cancellationToken) => inner.SetAsync(name, value, cancellationToken);

        public async Task<bool> TrySetAsync(string name, string value, ILockLease holder, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _sets) == freezeAtSet)
            {
                freezer.Freeze();
            }

            await freezer.WhileFrozenAsync();
            return Count(await inner.TrySetAsync(name, value, holder, cancellationToken));
        }

        public async Task<bool> TryDeleteAsync(string name, ILockLease holder, CancellationToken cancellationToken)
        {
            await freezer.WhileFrozenAsync();
            return Count(await inner.TryDeleteAsync(name, holder, cancellationToken));
        }

        private bool Count(bool accepted)
        {
            var afterTakeover = takeover.HasHappened;
            if (accepted && Interlocked.Increment(ref _accepted) == 2)
            {
                SecondAccepted.TrySetResult();
            }

            if (afterTakeover)
            {
                Interlocked.Increment(ref accepted ? ref _acceptedAfterTakeover : ref _refusedAfterTakeover);
            }

            return accepted;
        }
    }
}
