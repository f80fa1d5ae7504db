using Microsoft.Extensions.Options;
using static HubSyncWorker.Qualification.Policy.PolicyChecks;

namespace HubSyncWorker.Qualification.Policy;

/// <summary>One policy error: the configuration path, the offending value and what is wrong.</summary>
public sealed record PolicyError(string Path, string? Value, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path} = '{Value ?? "(null)"}': {Message}";
}

/// <summary>Checks a whole policy and reports every error at once, each naming its configuration path and value.</summary>
public static class PolicyValidator
{
    /// <summary>HubSpot's default lifecycle stage order, used when <see cref="LifecycleOptions.Order"/> is empty.</summary>
    public static IReadOnlyList<string> DefaultLifecycleOrder { get; } =
        ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"];

    /// <summary>Validates <paramref name="options"/>; an empty list means valid.</summary>
    public static IReadOnlyList<PolicyError> Validate(QualificationPolicyOptions options, string root = QualificationPolicyOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<PolicyError>();

        if (Missing(errors, options.Fit, $"{root}:Fit") | Missing(errors, options.Engagement, $"{root}:Engagement")
            | Missing(errors, options.Score, $"{root}:Score") | Missing(errors, options.Lifecycle, $"{root}:Lifecycle")
            | Missing(errors, options.Lead, $"{root}:Lead") | Missing(errors, options.Mql, $"{root}:Mql") | Missing(errors, options.Sql, $"{root}:Sql")
            | Missing(errors, options.Opportunity, $"{root}:Opportunity") | Missing(errors, options.Evangelist, $"{root}:Evangelist")
            | Missing(errors, options.Recycle, $"{root}:Recycle") | Missing(errors, options.LeadStatus, $"{root}:LeadStatus")
            | Missing(errors, options.SourceBucket, $"{root}:SourceBucket") | Missing(errors, options.Output, $"{root}:Output"))
        {
            return errors;
        }

        // The order of the errors follows the order of the sections in a policy file.
        SectionValidator.RuleLists(errors, options, root);
        SectionValidator.DecayAndWeights(errors, options, root);
        SectionValidator.Lifecycle(errors, options.Lifecycle, $"{root}:Lifecycle");
        SectionValidator.StageTests(errors, options, root);
        SectionValidator.LeadStatus(errors, options.LeadStatus, $"{root}:LeadStatus");
        SectionValidator.SourceBucket(errors, options.SourceBucket, $"{root}:SourceBucket");
        SectionValidator.Output(errors, options.Output, $"{root}:Output");
        return errors;
    }
}

/// <summary>Start-up validation of the bound options (<c>AddOptionsWithValidateOnStart</c>): every error, each with its key and value.</summary>
public sealed class QualificationPolicyOptionsValidator : IValidateOptions<QualificationPolicyOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, QualificationPolicyOptions options)
    {
        var errors = PolicyValidator.Validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => e.ToString()));
    }
}
