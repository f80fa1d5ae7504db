using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Policy;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker.Policy;

internal static class PolicyExtensions
{
    /// <summary>
    /// The qualification policy: <c>Qualification:PolicyFile</c>, else the <c>Qualification</c> section, else the embedded default.
    /// It is compiled while the host starts, so an invalid policy stops start-up with every error, each naming its path and value.
    /// </summary>
    public static IHostApplicationBuilder AddQualificationPolicy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => LoadPolicy(sp.GetRequiredService<IConfiguration>()));
        builder.Services.AddSingleton<IContactPropertyFilter, PolicyPropertyFilter>();
        builder.Services.AddHostedService<PolicyStartupCheck>();
        return builder;
    }

    internal static QualificationPolicy LoadPolicy(IConfiguration configuration)
    {
        QualificationPolicyOptions options;
        try
        {
            options = PolicyLoader.FromConfiguration(configuration);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            var file = configuration[$"{QualificationPolicyOptions.SectionName}:{nameof(QualificationPolicyOptions.PolicyFile)}"];
            var source = string.IsNullOrWhiteSpace(file)
                ? $"the {QualificationPolicyOptions.SectionName} section"
                : $"{QualificationPolicyOptions.SectionName}:{nameof(QualificationPolicyOptions.PolicyFile)} = '{file}' ({Path.GetFullPath(file)})";
            throw new PolicyValidationException($"The qualification policy cannot be read from {source}: {ex.Message}", ex);
        }

        try
        {
            return QualificationPolicy.Compile(options);
        }
        catch (PolicyValidationException ex) when (ex.Errors.Count > 0 && string.IsNullOrWhiteSpace(options.PolicyFile)
            && configuration.GetSection(QualificationPolicyOptions.SectionName).GetChildren().Any())
        {
            // Setting a few Qualification keys replaces the default policy with a policy made of only those keys.
            throw new PolicyValidationException([.. ex.Errors, new PolicyError(QualificationPolicyOptions.SectionName, null,
                "note: a policy in configuration is the whole policy, in place of the default (it is not layered on it); to change a few "
                + "values, save `policy check` output to a file, edit it, and set Qualification:PolicyFile (docs/qualification-policy.md)")]);
        }
    }
}

/// <summary>Which contact properties matter to the webhook filter: those the policy reads, and the worker's own outputs.</summary>
internal sealed class PolicyPropertyFilter : IContactPropertyFilter
{
    private readonly HashSet<string> _outputs;
    private readonly HashSet<string> _watched;

    public PolicyPropertyFilter(QualificationPolicy policy)
    {
        _outputs = new HashSet<string>(policy.OutputProperties.Select(p => p.Name), StringComparer.Ordinal);
        _watched = new HashSet<string>(policy.RequiredProperties.Concat(policy.HistoryProperties), StringComparer.Ordinal);
        _watched.ExceptWith(_outputs);
    }

    public bool IsWatched(string propertyName) => _watched.Contains(propertyName);

    public bool IsOutput(string propertyName) => _outputs.Contains(propertyName);
}

/// <summary>Compiles the policy during start-up (instead of at the first webhook) and logs its version.</summary>
internal sealed class PolicyStartupCheck(IServiceProvider services, ILogger<PolicyStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var policy = services.GetRequiredService<QualificationPolicy>();
        PolicyLog.Loaded(logger, policy.Version, policy.RequiredProperties.Count, policy.OutputProperties.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static partial class PolicyLog
{
    [LoggerMessage(EventId = 3801, Level = LogLevel.Information, Message = "Qualification policy {PolicyVersion} loaded: reads {PropertyCount} HubSpot properties, writes {OutputCount}")]
    public static partial void Loaded(ILogger logger, string policyVersion, int propertyCount, int outputCount);
}
