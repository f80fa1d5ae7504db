using HubSyncWorker.Qualification.Evaluation;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification;

/// <summary>
/// A compiled, immutable qualification policy. <see cref="Evaluate"/> is pure and deterministic (time is a parameter)
/// and safe to call from many threads at once.
/// </summary>
/// <remarks>
/// The façade of the policy engine: <see cref="PolicyCompiler"/> compiles the options, <see cref="PolicyEvaluator"/>
/// evaluates, <see cref="ReasonText"/> writes the reason, <see cref="WriteBackDiff"/> computes the changes, and
/// <see cref="OutputPropertyNames"/> defines the output properties.
/// </remarks>
public sealed class QualificationPolicy
{
    private readonly PolicyEvaluator _evaluator;
    private readonly WriteBackDiff _writeBack;

    private QualificationPolicy(QualificationPolicyOptions options)
    {
        Options = options;
        Version = PolicyLoader.ComputeVersion(options);
        var compiled = PolicyCompiler.Compile(options, Version);
        _evaluator = compiled.Evaluator;
        _writeBack = compiled.WriteBack;
        RequiredProperties = compiled.RequiredProperties;
        OutputNames = compiled.OutputNames;
        OutputProperties = OutputNames.Definitions();
        LifecycleOrder = options.Lifecycle.Order is { Count: > 0 } order ? [.. order] : [.. PolicyValidator.DefaultLifecycleOrder];
    }

    /// <summary>The effective options this policy was compiled from (do not mutate).</summary>
    public QualificationPolicyOptions Options { get; }

    /// <summary>Stable version of the effective policy: first 12 hex chars of SHA-256 over its canonical JSON.</summary>
    public string Version { get; }

    /// <summary>Every HubSpot property the policy reads (rules, stage tests, lifecycle, lead status and its own outputs), sorted.</summary>
    public IReadOnlyList<string> RequiredProperties { get; }

    /// <summary>Properties to request with history (<c>propertiesWithHistory</c>).</summary>
    public IReadOnlyList<string> HistoryProperties { get; } = [ContactSnapshot.ConversionHistoryProperty];

    /// <summary>The lifecycle stage order in effect.</summary>
    public IReadOnlyList<string> LifecycleOrder { get; }

    /// <summary>Names of the output properties.</summary>
    public OutputPropertyNames OutputNames { get; }

    /// <summary>The property holding the lifecycle stage (<c>Lifecycle:Property</c>, <c>lifecyclestage</c> by default).</summary>
    public string LifecycleProperty => Options.Lifecycle.Property;

    /// <summary>The output property group's internal name.</summary>
    public string OutputGroupName => Options.Output.GroupName;

    /// <summary>The output property group's label.</summary>
    public string OutputGroupLabel => Options.Output.GroupLabel;

    /// <summary>Definitions of the output properties, for the property bootstrap.</summary>
    public IReadOnlyList<OutputPropertyDefinition> OutputProperties { get; }

    /// <summary>Validates and compiles <paramref name="options"/>.</summary>
    /// <exception cref="PolicyValidationException">The policy is invalid; every error is listed.</exception>
    public static QualificationPolicy Compile(QualificationPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = PolicyValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new PolicyValidationException(errors);
        }

        return new QualificationPolicy(options);
    }

    /// <summary>The embedded default policy, compiled.</summary>
    public static QualificationPolicy CompileDefault() => Compile(PolicyLoader.LoadDefault());

    /// <summary>Evaluates one contact at <paramref name="now"/>. Pure: no I/O, no clock, no shared state.</summary>
    public QualificationDecision Evaluate(ContactSnapshot contact, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return _evaluator.Evaluate(contact, now);
    }

    /// <summary>
    /// The properties to write: only those whose value differs from what HubSpot holds (numbers and dates compared normalised),
    /// plus whether the lifecycle stage property (<see cref="LifecycleProperty"/>) must be cleared first. Writing the plan and
    /// evaluating again yields no changes.
    /// </summary>
    public WriteBackPlan ComputeChanges(ContactSnapshot current, QualificationDecision decision)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(decision);
        return _writeBack.ComputeChanges(current, decision);
    }
}
