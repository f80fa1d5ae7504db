using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Bootstrap;
using HubSyncWorker.HubSpot.Properties;
using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Policy;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sync;

/// <summary>
/// Ensures the HubSync property group and every output property exist in HubSpot with the right type (at start, and for the
/// <c>setup</c> verb), and that the lifecycle stages and lead statuses the policy writes are options of the portal's own
/// properties. Idempotent; a property that exists with another type, or a value the portal lacks, stops start-up with a message
/// naming it (and, for a value, the policy's key): in a portal with custom stages every write of such a value would be refused.
/// </summary>
internal sealed class OutputPropertyBootstrap(
    HubSpotPropertyBootstrapper bootstrapper,
    IHubSpotCrmClient client,
    QualificationPolicy policy,
    ILogger<OutputPropertyBootstrap> logger)
{
    public async Task<PropertyBootstrapSummary> EnsureAsync(CancellationToken cancellationToken)
    {
        var group = new PropertyGroupDefinition(policy.OutputGroupName, policy.OutputGroupLabel);
        var properties = policy.OutputProperties.Select(p => new PropertyDefinition
        {
            Name = p.Name,
            Label = p.Label,
            Description = p.Description,
            Type = p.Type,
            FieldType = p.FieldType,
            GroupName = policy.OutputGroupName,
            Options = [.. p.Options.Select(o => new PropertyOption { Label = o.Label, Value = o.Value, DisplayOrder = o.DisplayOrder })],
        }).ToList();

        var summary = await bootstrapper.EnsureAsync(group, properties, cancellationToken);
        BootstrapLog.Ensured(logger, group.Name, summary.Created.Count, summary.Updated.Count, summary.Unchanged.Count);
        await EnsurePortalHasPolicyValuesAsync(cancellationToken);
        return summary;
    }

    /// <summary>Every lifecycle stage and lead status the policy may write is an option of the portal's property.</summary>
    private async Task EnsurePortalHasPolicyValuesAsync(CancellationToken cancellationToken)
    {
        const string Section = QualificationPolicyOptions.SectionName;
        var options = policy.Options;
        var stages = options.Lifecycle.Stages;
        var problems = new List<string>();
        await CheckAsync(options.Lifecycle.Property, $"{Section}:Lifecycle:Property",
        [
            ($"{Section}:Lifecycle:Stages:Contact", stages.Contact), ($"{Section}:Lifecycle:Stages:Lead", stages.Lead),
            ($"{Section}:Lifecycle:Stages:Mql", stages.Mql), ($"{Section}:Lifecycle:Stages:Sql", stages.Sql),
            ($"{Section}:Lifecycle:Stages:Opportunity", stages.Opportunity), ($"{Section}:Lifecycle:Stages:Customer", stages.Customer),
            ($"{Section}:Lifecycle:Stages:Evangelist", stages.Evangelist),
        ]);
        if (options.LeadStatus.Manage)
        {
            var leadStatus = options.LeadStatus;
            await CheckAsync(leadStatus.Property, $"{Section}:LeadStatus:Property",
            [
                ($"{Section}:LeadStatus:NewValue", leadStatus.NewValue), ($"{Section}:LeadStatus:OpenValue", leadStatus.OpenValue),
                ($"{Section}:LeadStatus:UnqualifiedValue", leadStatus.UnqualifiedValue),
            ]);
        }

        if (problems.Count > 0)
        {
            throw new PortalValuesMismatchException(problems);
        }

        async Task CheckAsync(string propertyName, string propertyKey, (string Key, string Value)[] values)
        {
            var property = await client.GetPropertyAsync(propertyName, cancellationToken);
            if (property is null)
            {
                problems.Add($"{propertyKey}: the portal has no contact property '{propertyName}'.");
                return;
            }

            if (!string.Equals(property.Type, "enumeration", StringComparison.Ordinal))
            {
                return;
            }

            var known = property.Options.Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
            foreach (var (key, value) in values)
            {
                if (!known.Contains(value.Trim()))
                {
                    problems.Add($"{key} = '{value}' is not an option of the portal's '{propertyName}' (it has: {string.Join(", ", property.Options.Select(o => o.Value))}).");
                }
            }
        }
    }
}

/// <summary>The policy writes values the portal's lifecycle stage or lead status property does not have; each problem names its key.</summary>
internal sealed class PortalValuesMismatchException(IReadOnlyList<string> problems)
    : Exception("The policy writes values the HubSpot portal does not have: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Runs the bootstrap while the host starts, before any write, unless disabled or in dry-run mode.</summary>
internal sealed class OutputPropertyBootstrapService(OutputPropertyBootstrap bootstrap, IOptions<SyncOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.BootstrapProperties && !options.Value.DryRun)
        {
            await bootstrap.EnsureAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static partial class BootstrapLog
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "HubSpot property group {Group}: {Created} properties created, {Updated} updated, {Unchanged} already right")]
    public static partial void Ensured(ILogger logger, string group, int created, int updated, int unchanged);
}
