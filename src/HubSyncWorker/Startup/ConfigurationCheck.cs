using HubSyncWorker.HubSpot.Settings;
using HubSyncWorker.Qualification;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Startup;

/// <summary>
/// Validates every option, the keys of every section and the policy of a built host before anything starts, so one run reports all bad keys at once
/// (instead of the first component that happens to read its options failing with a stack trace).
/// </summary>
internal static class ConfigurationCheck
{
    /// <exception cref="OptionsValidationException">Settings are bad; each is listed.</exception>
    /// <exception cref="PolicyValidationException">The policy is invalid.</exception>
    /// <exception cref="AggregateException">Both of the above.</exception>
    public static void ThrowIfInvalid(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var errors = new List<Exception>();
        if (UnknownSettings.Find(services.GetRequiredService<IConfiguration>(), services.GetServices<SettingsSection>()) is { Count: > 0 } unknown)
        {
            errors.Add(new OptionsValidationException("configuration", typeof(IConfiguration), unknown));
        }

        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            errors.Add(ex);
        }
        catch (AggregateException ex)
        {
            errors.AddRange(ex.InnerExceptions);
        }

        try
        {
            // A host without the policy (the deadletters verb's) has nothing to compile.
            _ = services.GetService<QualificationPolicy>();
        }
        catch (PolicyValidationException ex)
        {
            errors.Add(ex);
        }

        if (errors.Count == 1)
        {
            throw errors[0];
        }

        if (errors.Count > 1)
        {
            throw new AggregateException(errors);
        }
    }
}
