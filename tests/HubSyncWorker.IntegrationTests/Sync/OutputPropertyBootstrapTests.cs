using HubSyncWorker.Startup;
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

        // What a marketer finds in the portal afterwards: these properties, typed so HubSpot's filters and reports work on them.
        Assert.Equal(DefaultOutputs.Keys.Order(), summary.Created.Order());
        foreach (var (name, (type, fieldType, hidden)) in DefaultOutputs)
        {
            var property = sandbox.Properties.Find(name);
            Assert.NotNull(property);
            Assert.Equal((name, type, fieldType, "hubsync", hidden), (property.Name, property.Type, property.FieldType, property.GroupName, property.Hidden));
        }

        var status = sandbox.Properties.Find("hubsync_status")!;
        Assert.Equal(["contact", "lead", "mql", "sql", "opportunity", "customer", "evangelist", "disqualified", "recycled"], status.Options.Select(o => o.Value));
        Assert.Equal(["Contact", "Lead", "MQL", "SQL", "Opportunity", "Customer", "Evangelist", "Disqualified", "Recycled"], status.Options.Select(o => o.Label));
        Assert.Equal(Enumerable.Range(0, 9), status.Options.Select(o => o.DisplayOrder));
    }

    [Fact]
    public async Task EnsureAsync_SecondRunOnTheSamePortal_ChangesNothing()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        using var host = SyncHost.Build(sandbox, redis.ConnectionString, RedisServerFixture.NewKeyPrefix());
        var bootstrap = host.Services.GetRequiredService<OutputPropertyBootstrap>();
        await bootstrap.EnsureAsync(default);
        sandbox.Stats.Reset();

        var again = await bootstrap.EnsureAsync(default);

        Assert.Empty(again.Created);
        Assert.Equal(0, sandbox.Stats.Requests(SandboxEndpoint.PropertiesCreate));
    }

    private static readonly Dictionary<string, (string Type, string FieldType, bool Hidden)> DefaultOutputs = new()
    {
        ["hubsync_fit_score"] = ("number", "number", false),
        ["hubsync_engagement_score"] = ("number", "number", false),
        ["hubsync_score"] = ("number", "number", false),
        ["hubsync_status"] = ("enumeration", "select", false),
        ["hubsync_reason"] = ("string", "textarea", false),
        ["hubsync_mql_date"] = ("date", "date", false),
        ["hubsync_source_bucket"] = ("string", "text", false),
        ["hubsync_policy_version"] = ("string", "text", false),
        ["hubsync_below_threshold_since"] = ("date", "date", false),
        ["hubsync_conversion_history"] = ("string", "textarea", true),
        ["hubsync_scores_at_mql"] = ("string", "textarea", true),
        ["hubsync_scores_at_sql"] = ("string", "textarea", true),
    };

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
        var message = StartupFailure.Describe(exception);
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

        Assert.Equal(DefaultOutputs.Keys.Order(), summary.Created.Order());
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

        Assert.Equal(DefaultOutputs.Keys.Order(), summary.Created.Order());
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

        Assert.Equal(DefaultOutputs.Keys.Order(), summary.Created.Order());
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
