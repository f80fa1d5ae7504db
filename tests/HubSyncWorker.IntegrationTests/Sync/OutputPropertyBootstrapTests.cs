using HubSyncWorker.Cli;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Qualification.Policy;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Properties;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace HubSyncWorker.IntegrationTests.Sync;

/// <summary>The start-up bootstrap against the sandbox's property catalog (HubSpot's default stages and lead statuses).</summary>
[Collection("redis")]
public sealed class OutputPropertyBootstrapTests(RedisServerFixture redis)
{
    [Fact]
    public async Task EnsureAsync_DefaultPolicyOnADefaultPortal_Succeeds()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix());

        var summary = await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        Assert.NotEmpty(summary.Created);
    }

    [Fact]
    public async Task EnsureAsync_PolicyWritesAStageAndALeadStatusThePortalLacks_StopsNamingEachKeyAndValue()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        using var policyFile = new PolicyFile(policy =>
        {
            policy["LeadStatus"]!["OpenValue"] = "WORKING";
            policy["LeadStatus"]!["UnqualifiedValue"] = "DISQUALIFIED";
        });
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), policyFile.Settings);

        var exception = await Assert.ThrowsAsync<PortalValuesMismatchException>(() => host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default));

        Assert.Equal(2, exception.Problems.Count);
        Assert.StartsWith("Qualification:LeadStatus:OpenValue = 'WORKING' is not an option of the portal's 'hs_lead_status'", exception.Problems[0], StringComparison.Ordinal);
        Assert.StartsWith("Qualification:LeadStatus:UnqualifiedValue = 'DISQUALIFIED'", exception.Problems[1], StringComparison.Ordinal);
        Assert.Contains("OPEN, IN_PROGRESS", exception.Problems[0], StringComparison.Ordinal);
        var message = WorkerCommands.StartupFailure(exception);
        Assert.NotNull(message);
        Assert.Contains("  - Qualification:LeadStatus:OpenValue", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureAsync_PortalOrdersOpportunityBeforeSql_StopsNamingBothKeys()
    {
        // The options listed in HubSpot's default order, but their display order (the portal's stage order) swaps the two.
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var lifecycle = sandbox.Properties.Find("lifecyclestage")!;
        Assert.True(sandbox.Properties.TryReplace(lifecycle with
        {
            Options = [.. lifecycle.Options.Select(o => o.Value switch
            {
                "salesqualifiedlead" => o with { DisplayOrder = 4 },
                "opportunity" => o with { DisplayOrder = 3 },
                _ => o,
            })],
        }));
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix());

        var exception = await Assert.ThrowsAsync<PortalValuesMismatchException>(() => host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default));

        var problem = Assert.Single(exception.Problems);
        Assert.Equal(
            "Qualification:Lifecycle:Stages:Opportunity = 'opportunity' does not come after Qualification:Lifecycle:Stages:Sql = 'salesqualifiedlead' "
            + "in the portal's order of 'lifecyclestage' (subscriber, lead, marketingqualifiedlead, opportunity, salesqualifiedlead, customer, evangelist, other): "
            + "HubSpot only moves a stage forward, so the worker could not set it.",
            problem);
    }

    [Fact]
    public async Task EnsureAsync_EvangelistACustomStageOfDisplayOrderMinusOne_ShownLastSoSucceeds()
    {
        // HubSpot shows an option of display order -1 after every other: last, so after Customer.
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var lifecycle = sandbox.Properties.Find("lifecyclestage")!;
        Assert.True(sandbox.Properties.TryReplace(lifecycle with
        {
            Options = [new SandboxPropertyOption("Advocate", "advocate", -1), .. lifecycle.Options.Where(o => o.Value != "evangelist")],
        }));
        using var policyFile = new PolicyFile(policy =>
        {
            policy["Lifecycle"]!["Stages"]!["Evangelist"] = "advocate";
            policy["Lifecycle"]!["Order"] = new System.Text.Json.Nodes.JsonArray(
                "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "other", "advocate");
        });
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), policyFile.Settings);

        var summary = await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        Assert.NotEmpty(summary.Created);
    }

    [Fact]
    public async Task EnsureAsync_PolicyOnACustomStageProperty_ItsOptionOrderNotChecked()
    {
        // Only HubSpot's lifecyclestage moves forward only: a custom enumeration may list its options in any order.
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var stages = sandbox.Properties.Find("lifecyclestage")!.Options.Reverse().Select((o, i) => o with { DisplayOrder = i });
        Assert.True(sandbox.Properties.TryAdd(new SandboxProperty
        {
            Name = "funnel_stage", Label = "Funnel stage", Type = "enumeration", FieldType = "select", GroupName = "contactinformation",
            Options = [.. stages],
        }));
        using var policyFile = new PolicyFile(policy =>
        {
            policy["Lifecycle"]!["Property"] = "funnel_stage";
        });
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix(), policyFile.Settings);

        var summary = await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        Assert.NotEmpty(summary.Created);
    }

    [Fact]
    public async Task EnsureAsync_PortalWithACustomStageBetweenTheWorkersStages_Succeeds()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var lifecycle = sandbox.Properties.Find("lifecyclestage")!;
        List<SandboxPropertyOption> options = [.. lifecycle.Options];
        options.Insert(2, new SandboxPropertyOption("Nurturing", "nurturing"));
        Assert.True(sandbox.Properties.TryReplace(lifecycle with { Options = [.. options.Select((o, i) => o with { DisplayOrder = i })] }));
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix());

        var summary = await host.Services.GetRequiredService<OutputPropertyBootstrap>().EnsureAsync(default);

        Assert.NotEmpty(summary.Created);
    }

    /// <summary>The default policy with <c>edit</c> applied, in a temporary file (deleted on dispose), and the setting naming it.</summary>
    private sealed class PolicyFile : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), $"hubsync-policy-{Guid.NewGuid():N}.json");

        public PolicyFile(Action<System.Text.Json.Nodes.JsonNode> edit)
        {
            var policy = System.Text.Json.Nodes.JsonNode.Parse(PolicyLoader.DefaultPolicyJson)!;
            edit(policy);
            File.WriteAllText(_path, policy.ToJsonString());
            Settings = new Dictionary<string, string?> { ["Qualification:PolicyFile"] = _path };
        }

        public Dictionary<string, string?> Settings { get; }

        public void Dispose() => File.Delete(_path);
    }
}
