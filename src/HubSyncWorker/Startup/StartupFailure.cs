using HubSyncWorker.HubSpot.Bootstrap;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.Qualification;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Startup;

/// <summary>The message for an error that stops start-up: bad configuration, an invalid policy, HubSpot refusing the setup.</summary>
internal static class StartupFailure
{
    /// <summary>What to tell the operator about <paramref name="ex"/>, or null when it is not a start-up failure (a bug: let it surface).</summary>
    public static string? Describe(Exception ex) => ex switch
    {
        OptionsValidationException options => "Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, options.Failures.Select(f => "  - " + f)),
        PolicyValidationException policy => "Invalid qualification policy:" + Environment.NewLine
            + (policy.Errors.Count == 0 ? "  - " + policy.Message : string.Join(Environment.NewLine, policy.Errors.Select(e => "  - " + e))),
        HubSpotPropertyMismatchException mismatch => "HubSpot properties conflict with the worker's output properties: " + mismatch.Message,
        Sync.PortalValuesMismatchException portal => "The policy does not fit the HubSpot portal's lifecycle stages or lead statuses:" + Environment.NewLine
            + string.Join(Environment.NewLine, portal.Problems.Select(p => "  - " + p)),
        HubSpotDailyLimitExceededException daily => "HubSpot's daily API limit is exhausted: " + daily.Message,
        HubSpotApiException api => "HubSpot refused a start-up call: " + api.Message,
        HubSpotUnavailableException unavailable => "HubSpot is unreachable: " + unavailable.Message,
        Storage.StorageUnavailableException storage => "Redis is unreachable (check Redis:ConnectionString): " + storage.Message,

        // The configuration binder's "Failed to convert configuration value at 'Sync:IncrementalInterval' to type 'System.TimeSpan'."
        InvalidOperationException conversion when conversion.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            "Invalid configuration:" + Environment.NewLine + "  - " + conversion.Message,
        Reporting.OutputFileException output => output.Message,
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            Describe(new OptionsValidationException("startup", typeof(object), aggregate.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures))),
        AggregateException aggregate when aggregate.InnerExceptions.All(e => Describe(e) is not null) =>
            Describe(new AggregateException(aggregate.InnerExceptions.Where(e => e is OptionsValidationException)))
                + Environment.NewLine + string.Join(Environment.NewLine, aggregate.InnerExceptions.Where(e => e is not OptionsValidationException).Select(Describe)),
        _ => null,
    };
}
