using Microsoft.Extensions.Options;

namespace HubSyncWorker.Storage;

/// <summary>What a retry of dead letters did.</summary>
/// <param name="Letters">Dead letters selected (all held, or those of the contacts asked for).</param>
/// <param name="ContactsQueued">Distinct contacts put back on the work queue.</param>
/// <param name="LettersRemoved">Selected letters removed once their contacts were queued (fewer when something else removed some meanwhile, e.g. a privacy deletion).</param>
internal sealed record DeadLetterRetryResult(int Letters, int ContactsQueued, int LettersRemoved);

/// <summary>
/// Puts dead-lettered contacts back on the work queue, once the cause is fixed (a property value the portal refused, a validation
/// rule since relaxed): each contact is evaluated again against HubSpot's current state and written if it still needs it, so a
/// retry costs one batch read per 100 contacts instead of a full resync. The contacts are queued first and only then are the
/// letters removed, exactly those that were selected: a failure in between leaves them listed (retrying again is harmless), and a
/// contact that fails again is dead-lettered anew, not lost with the old letter.
/// </summary>
internal sealed partial class DeadLetterRetry(IDeadLetterStore deadLetters, IWorkQueue queue, TimeProvider timeProvider, IOptions<RedisOptions> options, ILogger<DeadLetterRetry> logger)
{
    private const int Chunk = 500;

    /// <summary>Retries the held dead letters of <paramref name="contactIds"/>, or every one held when it is empty.</summary>
    public async Task<DeadLetterRetryResult> RetryAsync(IReadOnlyCollection<string> contactIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contactIds);
        var wanted = contactIds.Count == 0 ? null : new HashSet<string>(contactIds, StringComparer.Ordinal);
        var held = await deadLetters.ListAsync(options.Value.DeadLetterMaxEntries, cancellationToken);
        var selected = wanted is null ? held : [.. held.Where(l => wanted.Contains(l.ContactId))];
        if (selected.Count == 0)
        {
            return new DeadLetterRetryResult(0, 0, 0);
        }

        var now = timeProvider.GetUtcNow();
        var contacts = selected.Select(l => l.ContactId).Distinct(StringComparer.Ordinal).ToList();
        foreach (var chunk in contacts.Chunk(Chunk))
        {
            await queue.EnqueueAsync([.. chunk.Select(id => new WorkItem(id, WorkReason.Manual, now))], cancellationToken);
        }

        var removed = await deadLetters.RemoveAsync(selected, cancellationToken);
        Log.Retried(logger, selected.Count, contacts.Count, removed);
        return new DeadLetterRetryResult(selected.Count, contacts.Count, removed);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "Dead letters retried: {Letters} letters, {Contacts} contacts queued again, {Removed} letters removed")]
        public static partial void Retried(ILogger logger, int letters, int contacts, int removed);
    }
}
