namespace HubSyncWorker.Storage;

/// <summary>The shared store (Redis) could not be reached; callers answer 503 or retry later, and lose nothing.</summary>
public sealed class StorageUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);

/// <summary>
/// A lock was lost (or could not be confirmed held) while a job worked under it: the job stops without writing anything more,
/// and whoever holds the lock now carries on from the checkpoint.
/// </summary>
public sealed class LockLostException(string message) : Exception(message);

/// <summary>Named checkpoints (a list cursor, an incremental-sync keyset) that survive restarts.</summary>
public interface ICheckpointStore
{
    Task<string?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets a checkpoint no lock guards.</summary>
    Task SetAsync(string name, string value, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the checkpoint only while <paramref name="holder"/> still holds its lock (compared on its fencing token in the same
    /// atomic step as the write); false, and nothing written, once the lock expired or another holder took it.
    /// </summary>
    Task<bool> TrySetAsync(string name, string value, ILockLease holder, CancellationToken cancellationToken);

    /// <summary>Deletes the checkpoint only while <paramref name="holder"/> still holds its lock; false, and nothing deleted, otherwise.</summary>
    Task<bool> TryDeleteAsync(string name, ILockLease holder, CancellationToken cancellationToken);
}

/// <summary>A lease on a named lock; dispose to release it.</summary>
public interface ILockLease : IAsyncDisposable
{
    /// <summary>The lock's name.</summary>
    string Name { get; }

    /// <summary>A number that grows with every acquisition of this lock: a write carrying an older token is stale.</summary>
    long FencingToken { get; }

    /// <summary>Extends the lease; false when it was lost (expired and taken by someone else).</summary>
    Task<bool> RenewAsync(CancellationToken cancellationToken);

    /// <summary>True while this lease still holds the lock (the fencing check made before each write).</summary>
    Task<bool> IsStillHeldAsync(CancellationToken cancellationToken);
}

/// <summary>Cluster-wide mutual exclusion for scheduled jobs and resyncs.</summary>
public interface IDistributedLock
{
    /// <summary>Takes the lock for <paramref name="ttl"/> or returns null when another holder has it.</summary>
    Task<ILockLease?> TryAcquireAsync(string name, TimeSpan ttl, CancellationToken cancellationToken);
}

/// <summary>A write HubSpot rejected for a reason retrying will not fix.</summary>
/// <param name="ContactId">The contact.</param>
/// <param name="Properties">The values that were rejected.</param>
/// <param name="Category">HubSpot's error category (e.g. VALIDATION_ERROR).</param>
/// <param name="Message">HubSpot's message.</param>
/// <param name="At">When it was rejected.</param>
public sealed record DeadLetter(string ContactId, IReadOnlyDictionary<string, string> Properties, string Category, string Message, DateTimeOffset At);

/// <summary>Writes that failed for good, kept for an operator to read.</summary>
public interface IDeadLetterStore
{
    Task AddAsync(DeadLetter deadLetter, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken);

    Task<long> CountAsync(CancellationToken cancellationToken);

    /// <summary>Drops every dead letter of the contact (privacy deletion).</summary>
    Task RemoveContactAsync(string contactId, CancellationToken cancellationToken);

    /// <summary>
    /// Drops these dead letters, as <see cref="ListAsync"/> returned them (a retry clears what it re-queued): each one once, and
    /// none recorded since, even for the same contact. Returns how many were still there.
    /// </summary>
    Task<int> RemoveAsync(IReadOnlyCollection<DeadLetter> deadLetters, CancellationToken cancellationToken);
}
