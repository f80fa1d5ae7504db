using HubSyncWorker.HubSpot.Bootstrap;
using HubSyncWorker.HubSpot.Properties;
using HubSyncWorker.Qualification;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sync;

/// <summary>
/// Ensures the HubSync property group and every output property exist in HubSpot with the right type (at start, and for the
/// <c>setup</c> verb). Idempotent; a property that exists with another type stops start-up with a message naming it.
/// </summary>
internal sealed class OutputPropertyBootstrap(HubSpotPropertyBootstrapper bootstrapper, QualificationPolicy policy, ILogger<OutputPropertyBootstrap> logger)
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
        return summary;
    }
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
