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
    private const string LifecycleStageProperty = "lifecyclestage";

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
            Hidden = p.Hidden,
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
        (string Key, string Value)[] stageKeys =
        [
            ($"{Section}:Lifecycle:Stages:Contact", stages.Contact), ($"{Section}:Lifecycle:Stages:Lead", stages.Lead),
            ($"{Section}:Lifecycle:Stages:Mql", stages.Mql), ($"{Section}:Lifecycle:Stages:Sql", stages.Sql),
            ($"{Section}:Lifecycle:Stages:Opportunity", stages.Opportunity), ($"{Section}:Lifecycle:Stages:Customer", stages.Customer),
            ($"{Section}:Lifecycle:Stages:Evangelist", stages.Evangelist),
        ];
        if (await CheckAsync(options.Lifecycle.Property, $"{Section}:Lifecycle:Property", stageKeys) is { } lifecycle
            && string.Equals(lifecycle.Name, LifecycleStageProperty, StringComparison.Ordinal))
        {
            // Only HubSpot's own lifecycle stage moves forward only; a custom property the policy points to has no order.
            CheckStageOrder(lifecycle, stageKeys, problems);
        }

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

        // The portal's property when it is an enumeration (whose options were checked), otherwise null.
        async Task<HubSpotProperty?> CheckAsync(string propertyName, string propertyKey, (string Key, string Value)[] values)
        {
            var property = await client.GetPropertyAsync(propertyName, cancellationToken);
            if (property is null)
            {
                problems.Add($"{propertyKey}: the portal has no contact property '{propertyName}'.");
                return null;
            }

            if (!string.Equals(property.Type, "enumeration", StringComparison.Ordinal))
            {
                return null;
            }

            var known = property.Options.Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
            foreach (var (key, value) in values)
            {
                if (!known.Contains(value.Trim()))
                {
                    problems.Add($"{key} = '{value}' is not an option of the portal's '{propertyName}' (it has: {string.Join(", ", property.Options.Select(o => o.Value))}).");
                }
            }

            return property;
        }
    }

    /// <summary>
    /// The policy's stages, from Contact to Evangelist, come one after another in the portal's order of lifecycle stages:
    /// HubSpot only moves a contact's stage forward, so a stage the portal places before the one under it could never be set
    /// (every write of it silently ignored, and tried again at every sync).
    /// </summary>
    private static void CheckStageOrder(HubSpotProperty lifecycle, (string Key, string Value)[] stages, List<string> problems)
    {
        var order = PortalOrder(lifecycle.Options).Select(o => o.Value).ToList();
        for (var level = 1; level < stages.Length; level++)
        {
            var (lowerKey, lower) = stages[level - 1];
            var (key, value) = stages[level];
            var lowerAt = order.IndexOf(lower.Trim());
            var at = order.IndexOf(value.Trim());
            if (lowerAt >= 0 && at >= 0 && at <= lowerAt)
            {
                problems.Add($"{key} = '{value}' does not come after {lowerKey} = '{lower}' in the portal's order of '{lifecycle.Name}' "
                    + $"({string.Join(", ", order)}): HubSpot only moves a stage forward, so the worker could not set it.");
            }
        }
    }

    /// <summary>
    /// Options in the order HubSpot shows them: by display order, lowest first, with -1 (or none) after every other (HubSpot's
    /// rule); options of the same display order keep the order HubSpot lists them in.
    /// </summary>
    internal static IEnumerable<PropertyOption> PortalOrder(IEnumerable<PropertyOption> options) =>
        options.OrderBy(o => o.DisplayOrder is >= 0 ? 0 : 1).ThenBy(o => o.DisplayOrder ?? 0);
}

/// <summary>
/// The policy writes values the portal's lifecycle stage or lead status property does not have, or stages the portal orders
/// otherwise; each problem names its key.
/// </summary>
internal sealed class PortalValuesMismatchException(IReadOnlyList<string> problems)
    : Exception("The policy does not fit the HubSpot portal's lifecycle stages or lead statuses: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Opens once the output properties are known to exist, so the paths that write wait for it (the queue consumer, the scheduled and
/// admin resyncs); open from the start when no bootstrap runs in this process.
/// </summary>
internal sealed class BootstrapGate(bool open)
{
    private readonly TaskCompletionSource _opened = CreateSource(open);

    public bool IsOpen => _opened.Task.IsCompletedSuccessfully;

    public void Open() => _opened.TrySetResult();

    /// <summary>Completes when the gate opens (at once when open), or throws when cancelled.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _opened.Task.WaitAsync(cancellationToken);

    private static TaskCompletionSource CreateSource(bool open)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            source.SetResult();
        }

        return source;
    }
}

/// <summary>
/// Runs the bootstrap in the background once the host has started, unless disabled or in dry-run mode, and opens the
/// <see cref="BootstrapGate"/> when it succeeds. Start-up never waits on HubSpot: the webhook endpoint listens and queues work (and
/// the probes answer) during a HubSpot outage, while the writers wait. HubSpot unreachable, 5xx or 429 is retried with backoff; a
/// conflict that retrying cannot fix (a property of another type, a value the portal lacks, a refused token) stops the worker with
/// exit code 1 and the same message start-up gave.
/// </summary>
internal sealed class OutputPropertyBootstrapService(
    OutputPropertyBootstrap bootstrap,
    BootstrapGate gate,
    IOptions<SyncOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<OutputPropertyBootstrapService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.BootstrapProperties || options.Value.DryRun)
        {
            gate.Open();
            return;
        }

        var delay = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await bootstrap.EnsureAsync(stoppingToken);
                gate.Open();
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex) || TransientFailures.IsAccessRejected(ex))
            {
                // A token HubSpot refuses (revoked, rotated, a scope missing) is fixed outside the worker: stopping would take the
                // webhook endpoint down with it, so the worker keeps queueing deliveries and tries again (/health names the token).
                BootstrapLog.Retrying(logger, ex, delay.TotalSeconds);
            }
            catch (Exception ex) when (Startup.StartupFailure.Describe(ex) is { } message)
            {
                BootstrapLog.Failed(logger, ex, message);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
                return;
            }

            try
            {
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, delay.Ticks * 2));
        }
    }
}

internal static partial class BootstrapLog
{
    [LoggerMessage(EventId = 3902, Level = LogLevel.Warning, Message = "HubSpot property bootstrap failed; webhooks are still queued, writes wait. Next attempt in {DelaySeconds:F0} s")]
    public static partial void Retrying(ILogger logger, Exception exception, double delaySeconds);

    [LoggerMessage(EventId = 3903, Level = LogLevel.Critical, Message = "HubSpot property bootstrap cannot succeed; stopping. {Reason}")]
    public static partial void Failed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 3901, Level = LogLevel.Information, Message = "HubSpot property group {Group}: {Created} properties created, {Updated} updated, {Unchanged} already right")]
    public static partial void Ensured(ILogger logger, string group, int created, int updated, int unchanged);
}
