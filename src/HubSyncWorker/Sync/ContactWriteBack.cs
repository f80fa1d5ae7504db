using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.Qualification;
using HubSyncWorker.Storage;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Sync;

/// <summary>What a write-back did.</summary>
internal sealed record WriteBackOutcome(int Written, int NotFound, int DeadLettered, int Regressions, int RegressionsUnverified, int Calls)
{
    public static WriteBackOutcome None { get; } = new(0, 0, 0, 0, 0, 0);

    public WriteBackOutcome Add(WriteBackOutcome other) => new(
        Written + other.Written, NotFound + other.NotFound, DeadLettered + other.DeadLettered,
        Regressions + other.Regressions, RegressionsUnverified + other.RegressionsUnverified, Calls + other.Calls);
}

/// <summary>
/// Writes decisions back to HubSpot with batch updates of up to 100, handling each input's fate: a contact gone from HubSpot is
/// dropped, a value HubSpot refuses goes to the dead-letter store (and a metric) without holding back the rest of the batch.
/// A lifecycle regression is two separate requests — clear, then set — and is verified by reading the stage back.
/// </summary>
/// <remarks>
/// Should HubSpot refuse a write because one of the worker's own properties no longer exists (deleted in HubSpot's settings), every
/// write would fail and every contact be dead-lettered: with <see cref="SyncOptions.BootstrapProperties"/> on, the property
/// bootstrap runs again (at most once every <see cref="RecreateInterval"/>) and the write is sent once more.
/// </remarks>
internal sealed class ContactWriteBack(
    IHubSpotCrmClient client,
    IDeadLetterStore deadLetters,
    SyncMetrics metrics,
    OutputPropertyBootstrap bootstrap,
    QualificationPolicy policy,
    IOptionsMonitor<SyncOptions> options,
    TimeProvider timeProvider,
    ILogger<ContactWriteBack> logger)
{
    private const int BatchLimit = 100;
    private const string NotFoundCategory = "OBJECT_NOT_FOUND";
    private const string MissingPropertyCode = "PROPERTY_DOESNT_EXIST";

    /// <summary>The least time between two runs of the bootstrap for a missing property (so a property that cannot be created costs one try a minute).</summary>
    internal static readonly TimeSpan RecreateInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _recreateGate = new();
    private long? _lastRecreate;

    public async Task<WriteBackOutcome> WriteAsync(IReadOnlyList<WriteBackPlan> plans, CancellationToken cancellationToken)
    {
        var outcome = WriteBackOutcome.None;
        foreach (var chunk in plans.Where(p => p.HasChanges).Chunk(BatchLimit))
        {
            outcome = outcome.Add(await WriteChunkAsync(chunk, cancellationToken));
        }

        return outcome;
    }

    private async Task<WriteBackOutcome> WriteChunkAsync(IReadOnlyList<WriteBackPlan> plans, CancellationToken cancellationToken)
    {
        var outcome = WriteBackOutcome.None;
        var gone = new HashSet<string>(StringComparer.Ordinal);

        // HubSpot ignores a backward lifecycle write and does not order the inputs of a batch: the clear must be its own request.
        var regressions = plans.Where(p => p.ClearLifecycleStageFirst).ToList();
        if (regressions.Count > 0)
        {
            // The policy's stage property (Lifecycle:Property), which is not always lifecyclestage. Should the process stop before the
            // set below, the stage stays empty until the next evaluation of the contact, which writes it (the policy wants a stage there).
            var clears = regressions.Select(p => new ContactUpdate(p.ContactId, new Dictionary<string, string> { [policy.LifecycleProperty] = "" })).ToList();
            var cleared = await UpdateAsync(clears, gone, cancellationToken);
            outcome = outcome.Add(cleared with { Written = 0 });
        }

        var updates = plans.Where(p => !gone.Contains(p.ContactId)).Select(p => new ContactUpdate(p.ContactId, p.Changes)).ToList();
        if (updates.Count > 0)
        {
            outcome = outcome.Add(await UpdateAsync(updates, gone, cancellationToken));
        }

        var toVerify = regressions.Where(p => !gone.Contains(p.ContactId)).ToList();
        if (toVerify.Count > 0)
        {
            outcome = outcome.Add(await VerifyRegressionsAsync(toVerify, cancellationToken));
        }

        metrics.Written(outcome.Written);
        return outcome;
    }

    /// <summary>
    /// One batch update. A whole-batch refusal (400) whose every error names its inputs (the portal's validation rules do) costs only
    /// those inputs: they are dead-lettered and the rest sent again; a refusal that names no input is bisected to find the one at fault.
    /// </summary>
    private async Task<WriteBackOutcome> UpdateAsync(List<ContactUpdate> updates, HashSet<string> gone, CancellationToken cancellationToken)
    {
        var result = await client.BatchUpdateContactsAsync(updates, cancellationToken);
        var outcome = new WriteBackOutcome(0, 0, 0, 0, 0, 1);
        if (NamesAMissingProperty(result) && await TryRecreatePropertiesAsync(cancellationToken))
        {
            result = await client.BatchUpdateContactsAsync(updates, cancellationToken);
            outcome = outcome with { Calls = 2 };
        }

        if (result.BatchFailure is { } failure)
        {
            if (NamesItsInputs(result, updates))
            {
                // HubSpot said which inputs it refused; the others were refused only for being in their batch.
                var refused = await HandleInputErrorsAsync(result.Errors, updates, gone, cancellationToken);
                var rest = updates.Where(u => !refused.Failed.Contains(u.Id)).ToList();
                WriteBackLog.BatchInputsRefused(logger, refused.Failed.Count, rest.Count, failure.Category, failure.Message);
                outcome = outcome.Add(refused.Outcome);
                return rest.Count == 0 ? outcome : outcome.Add(await UpdateAsync(rest, gone, cancellationToken));
            }

            if (updates.Count == 1)
            {
                await DeadLetterAsync(updates[0], failure.Category ?? "BATCH_REJECTED", failure.Message, cancellationToken);
                return outcome with { DeadLettered = 1 };
            }

            WriteBackLog.BatchBisected(logger, updates.Count, failure.Category, failure.Message);
            var half = updates.Count / 2;
            outcome = outcome.Add(await UpdateAsync(updates[..half], gone, cancellationToken));
            return outcome.Add(await UpdateAsync(updates[half..], gone, cancellationToken));
        }

        foreach (var error in result.Errors.Where(e => e.ContactId is null))
        {
            WriteBackLog.UnattributedError(logger, error.Category, error.Message);
        }

        var (inputOutcome, failed) = await HandleInputErrorsAsync(result.Errors.Where(e => e.ContactId is not null), updates, gone, cancellationToken);
        outcome = outcome.Add(inputOutcome);

        if (result.Errors.FirstOrDefault(e => e.ContactId is null) is { } untied)
        {
            // An error HubSpot tied to no input: the inputs it did not return as updated are the ones it concerns, so they are
            // dead-lettered with it rather than counted as written.
            var updated = result.Updated.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var update in updates.Where(u => !updated.Contains(u.Id) && !failed.Contains(u.Id)).ToList())
            {
                failed.Add(update.Id);
                await DeadLetterAsync(update, untied.Category ?? "UNKNOWN", untied.Message, cancellationToken);
                outcome = outcome with { DeadLettered = outcome.DeadLettered + 1 };
            }
        }

        return outcome with { Written = updates.Count(u => !failed.Contains(u.Id)) };
    }

    /// <summary>
    /// The fate of each input an error names: gone from HubSpot (dropped), or refused for good (dead-lettered, with the code and the
    /// property a validation rule of the portal requires). Several errors for one input are dead-lettered as one, every reason kept.
    /// </summary>
    private async Task<(WriteBackOutcome Outcome, HashSet<string> Failed)> HandleInputErrorsAsync(
        IEnumerable<ContactError> errors, List<ContactUpdate> updates, HashSet<string> gone, CancellationToken cancellationToken)
    {
        var outcome = WriteBackOutcome.None;
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var contactErrors in errors.GroupBy(e => e.ContactId!, StringComparer.Ordinal))
        {
            var contactId = contactErrors.Key;
            var update = updates.FirstOrDefault(u => u.Id == contactId);
            if (update is null || !failed.Add(contactId))
            {
                continue;
            }

            var first = contactErrors.First();
            if (string.Equals(first.Category, NotFoundCategory, StringComparison.Ordinal))
            {
                gone.Add(contactId);
                outcome = outcome with { NotFound = outcome.NotFound + 1 };
                metrics.NotFound(1);
                WriteBackLog.ContactGone(logger, contactId);
                continue;
            }

            var reasons = string.Join("; ", contactErrors.Select(Reason).Distinct(StringComparer.Ordinal));
            // A validation rule's code (MISSING_REQUIRED_PROPERTY) says more than its category (VALIDATION_ERROR, as for a bad value):
            // an operator filtering dead letters tells "fix the contact" from "fix the worker's value".
            var category = contactErrors.FirstOrDefault(e => e.IsValidationRuleRejection)?.Code ?? first.Category ?? first.Code ?? "UNKNOWN";
            await DeadLetterAsync(update, category, reasons, cancellationToken);
            outcome = outcome with { DeadLettered = outcome.DeadLettered + 1 };
        }

        return (outcome, failed);
    }

    /// <summary>What a dead letter says about an error: for the portal's validation rules, the code and the property they require.</summary>
    internal static string Reason(ContactError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!error.IsValidationRuleRejection)
        {
            return error.Message;
        }

        var names = error.PropertyNames.Count == 0 ? "a property" : string.Join(", ", error.PropertyNames);
        var verb = error.PropertyNames.Count > 1 ? "are" : "is";
        var rule = error.Code == HubSpotErrorCodes.MissingConditionalRequiredProperty ? "a conditional validation rule" : "a validation rule";
        return $"{error.Code}: {names} {verb} required by {rule} of the portal";
    }

    private async Task<WriteBackOutcome> VerifyRegressionsAsync(List<WriteBackPlan> regressions, CancellationToken cancellationToken)
    {
        var stage = policy.LifecycleProperty;
        var read = await client.BatchReadContactsAsync(regressions.Select(p => p.ContactId).ToList(), [stage], [], cancellationToken);
        var stages = read.Found.ToDictionary(c => c.Id, c => c.GetProperty(stage), StringComparer.Ordinal);
        var unverified = 0;
        foreach (var plan in regressions)
        {
            var expected = plan.Changes.GetValueOrDefault(stage);
            if (stages.TryGetValue(plan.ContactId, out var actual) && !string.Equals(actual, expected, StringComparison.Ordinal))
            {
                unverified++;
                WriteBackLog.RegressionNotApplied(logger, plan.ContactId, expected, actual);
            }
        }

        return new WriteBackOutcome(0, 0, 0, regressions.Count, unverified, 1);
    }

    /// <summary>Every error of the answer names an input, and at least one of this batch (so what is sent again is smaller).</summary>
    private static bool NamesItsInputs(BatchUpdateResult result, List<ContactUpdate> updates) =>
        result.Errors.Count > 0
        && result.Errors.All(e => e.ContactId is not null)
        && updates.Any(u => result.Errors.Any(e => string.Equals(e.ContactId, u.Id, StringComparison.Ordinal)));

    private static bool NamesAMissingProperty(BatchUpdateResult result) =>
        result.BatchFailure?.Message.Contains(MissingPropertyCode, StringComparison.Ordinal) == true
        || result.Errors.Any(e => e.Message?.Contains(MissingPropertyCode, StringComparison.Ordinal) == true);

    /// <summary>Runs the property bootstrap again, unless it is off or ran less than <see cref="RecreateInterval"/> ago; true when it succeeded.</summary>
    private async Task<bool> TryRecreatePropertiesAsync(CancellationToken cancellationToken)
    {
        if (!options.CurrentValue.BootstrapProperties)
        {
            return false;
        }

        lock (_recreateGate)
        {
            if (_lastRecreate is { } last && timeProvider.GetElapsedTime(last) < RecreateInterval)
            {
                return false;
            }

            _lastRecreate = timeProvider.GetTimestamp();
        }

        try
        {
            var summary = await bootstrap.EnsureAsync(cancellationToken);
            if (summary.Created.Count == 0)
            {
                return false;
            }

            WriteBackLog.PropertiesRecreated(logger, string.Join(", ", summary.Created));
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            WriteBackLog.RecreateFailed(logger, ex);
            return false;
        }
    }

    private async Task DeadLetterAsync(ContactUpdate update, string category, string message, CancellationToken cancellationToken)
    {
        metrics.DeadLettered(category);
        WriteBackLog.DeadLettered(logger, update.Id, category, message);
        await deadLetters.AddAsync(new DeadLetter(update.Id, update.Properties, category, message, timeProvider.GetUtcNow()), cancellationToken);
    }
}

internal static partial class WriteBackLog
{
    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "HubSpot refused a write because a HubSync property does not exist (deleted in HubSpot?); the property bootstrap recreated: {Created}")]
    public static partial void PropertiesRecreated(ILogger logger, string created);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Error, Message = "HubSpot refused a write because a HubSync property does not exist, and recreating the output properties failed; the write is handled as refused")]
    public static partial void RecreateFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "HubSpot refused a batch of {Count} updates ({Category}: {Message}); splitting it to find the input at fault")]
    public static partial void BatchBisected(ILogger logger, int count, string? category, string message);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "HubSpot refused a batch update ({Category}: {Message}) naming {Refused} inputs, dead-lettered; sending the other {Remaining} again")]
    public static partial void BatchInputsRefused(ILogger logger, int refused, int remaining, string? category, string message);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "HubSpot reported an error not tied to an input ({Category}: {Message})")]
    public static partial void UnattributedError(ILogger logger, string? category, string message);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Contact {ContactId} is gone from HubSpot (deleted or merged away); dropped")]
    public static partial void ContactGone(ILogger logger, string contactId);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "Write to contact {ContactId} refused for good ({Category}: {Message}); kept in the dead-letter list")]
    public static partial void DeadLettered(ILogger logger, string contactId, string category, string message);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Lifecycle regression of contact {ContactId} not applied: expected {Expected}, HubSpot holds {Actual}")]
    public static partial void RegressionNotApplied(ILogger logger, string contactId, string? expected, string? actual);
}
