using System.Globalization;
using System.Text.Json.Nodes;
using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Qualification.Policy;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Properties;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>
/// The fault suite's lifecycle case, against the sandbox and a real Redis: a lifecycle regression is two requests (clear, then set),
/// and a worker stopped between them leaves the stage empty; the next evaluation of the contact writes the stage. The clear and the
/// check that follows the set are made on the policy's stage property, whatever it is.
/// </summary>
[Collection("redis")]
public sealed class LifecycleRepairTests(RedisServerFixture redis)
{
    [Fact]
    public async Task ProcessOnceAsync_WorkerStoppedBetweenTheClearAndTheSetOfARegression_NextEvaluationRepairsTheStage()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        using var policy = new PolicyFile(p => p["Lifecycle"]!["AllowRegression"] = true);
        var prefix = RedisServerFixture.NewKeyPrefix();
        using var stop = new CancellationTokenSource();
        string id;
        using (var crashing = SyncHost.Build(sandbox, redis.ConnectionString, prefix, Settings(policy), services =>
        {
            services.AddTransient<HubSpotCrmClient>();
            services.AddSingleton<IHubSpotCrmClient>(sp => new StopAfterTheClear(sp.GetRequiredService<HubSpotCrmClient>(), "lifecyclestage", stop));
        }))
        {
            await crashing.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
            id = sandbox.Contacts.AddContact(RecycledMql("lifecyclestage"));
            await crashing.Services.GetRequiredService<IWorkQueue>().EnqueueAsync([new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow)], default);

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => crashing.Services.GetRequiredService<WorkQueueConsumer>().ProcessOnceAsync("stopped", stop.Token));
        }

        var stopped = sandbox.Contacts.GetContact(id)!.Properties;
        Assert.Equal(("", "mql"), (stopped.GetValueOrDefault("lifecyclestage") ?? "", stopped.GetValueOrDefault("hubsync_status")));

        // The worker starts again; the entry was handed back, so the contact is evaluated once more.
        using var restarted = SyncHost.Build(sandbox, redis.ConnectionString, prefix, Settings(policy));
        Assert.True(await restarted.Services.GetRequiredService<WorkQueueConsumer>().ProcessOnceAsync("restarted", default));

        var repaired = sandbox.Contacts.GetContact(id)!.Properties;
        Assert.Equal(("lead", "recycled"), (repaired.GetValueOrDefault("lifecyclestage"), repaired.GetValueOrDefault("hubsync_status")));
        Assert.Equal(0, await restarted.Services.GetRequiredService<IDeadLetterStore>().CountAsync(default));
    }

    [Fact]
    public async Task ProcessOnceAsync_RegressionOnAPolicyWhoseStagePropertyIsNotLifecyclestage_ClearsAndSetsThatPropertyOnly()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var stages = sandbox.Properties.Find("lifecyclestage")!.Options;
        Assert.True(sandbox.Properties.TryAdd(new SandboxProperty
        {
            Name = "funnel_stage", Label = "Funnel stage", Type = "enumeration", FieldType = "select", GroupName = "contactinformation",
            Options = [.. stages],
        }));
        using var policy = new PolicyFile(p =>
        {
            p["Lifecycle"]!["AllowRegression"] = true;
            p["Lifecycle"]!["Property"] = "funnel_stage";
        });
        var calls = new List<IReadOnlyCollection<ContactUpdate>>();
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), Settings(policy), services =>
        {
            services.AddTransient<HubSpotCrmClient>();
            services.AddSingleton<IHubSpotCrmClient>(sp => new RecordingUpdates(sp.GetRequiredService<HubSpotCrmClient>(), calls));
        });
        await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);
        var properties = RecycledMql("funnel_stage");
        properties["lifecyclestage"] = "customer";
        var id = sandbox.Contacts.AddContact(properties);
        await host.Services.GetRequiredService<IWorkQueue>().EnqueueAsync([new WorkItem(id, WorkReason.Manual, DateTimeOffset.UtcNow)], default);

        Assert.True(await host.Services.GetRequiredService<WorkQueueConsumer>().ProcessOnceAsync("custom-stage", default));

        var written = sandbox.Contacts.GetContact(id)!.Properties;
        Assert.Equal(("lead", "customer", "recycled"), (written.GetValueOrDefault("funnel_stage"), written.GetValueOrDefault("lifecyclestage"), written.GetValueOrDefault("hubsync_status")));
        var clear = Assert.Single(calls[0]);
        Assert.Equal(new Dictionary<string, string> { ["funnel_stage"] = "" }, clear.Properties);
        Assert.DoesNotContain(calls, call => call.Any(u => u.Properties.ContainsKey("lifecyclestage")));
    }

    private static Dictionary<string, string?> Settings(PolicyFile policy) => new(policy.Settings) { ["Sync:QueueBatchWindow"] = "00:00:00" };

    /// <summary>
    /// A contact the worker made an MQL (stage <paramref name="stageProperty"/> at MQL, its status and MQL date written) whose
    /// engagement fell below the MQL test 45 days ago: past the 30-day recycle window, so the policy moves its stage back to lead.
    /// </summary>
    private static Dictionary<string, string?> RecycledMql(string stageProperty)
    {
        var below = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-45);
        return new Dictionary<string, string?>
        {
            ["email"] = "recycled@example.org",
            ["num_conversion_events"] = "1",
            ["first_conversion_event_name"] = "Contact us",
            ["recent_conversion_event_name"] = "Contact us",
            [stageProperty] = "marketingqualifiedlead",
            ["hubsync_status"] = "mql",
            ["hubsync_mql_date"] = below.AddDays(-60).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["hubsync_below_threshold_since"] = below.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The real client, except that the process "stops" (<paramref name="stop"/> cancelled) at the first update after a clear of the stage.</summary>
    private sealed class StopAfterTheClear(IHubSpotCrmClient inner, string stageProperty, CancellationTokenSource stop) : DelegatingCrmClient(inner)
    {
        private bool _cleared;

        public override async Task<BatchUpdateResult> BatchUpdateContactsAsync(IReadOnlyCollection<ContactUpdate> updates, CancellationToken cancellationToken)
        {
            if (_cleared)
            {
                await stop.CancelAsync();
                stop.Token.ThrowIfCancellationRequested();
            }

            _cleared = updates.Any(u => u.Properties.GetValueOrDefault(stageProperty) == "");
            return await base.BatchUpdateContactsAsync(updates, cancellationToken);
        }
    }

    private sealed class RecordingUpdates(IHubSpotCrmClient inner, List<IReadOnlyCollection<ContactUpdate>> calls) : DelegatingCrmClient(inner)
    {
        public override Task<BatchUpdateResult> BatchUpdateContactsAsync(IReadOnlyCollection<ContactUpdate> updates, CancellationToken cancellationToken)
        {
            calls.Add(updates);
            return base.BatchUpdateContactsAsync(updates, cancellationToken);
        }
    }

    /// <summary>The default policy with <c>edit</c> applied, in a temporary file (deleted on dispose), and the setting naming it.</summary>
    private sealed class PolicyFile : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), $"hubsync-policy-{Guid.NewGuid():N}.json");

        public PolicyFile(Action<JsonNode> edit)
        {
            var policy = JsonNode.Parse(PolicyLoader.DefaultPolicyJson)!;
            edit(policy);
            File.WriteAllText(_path, policy.ToJsonString());
            Settings = new Dictionary<string, string?> { ["Qualification:PolicyFile"] = _path };
        }

        public Dictionary<string, string?> Settings { get; }

        public void Dispose() => File.Delete(_path);
    }
}
