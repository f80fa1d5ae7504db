using Microsoft.Extensions.Options;

namespace HubSyncWorker.Storage.InMemory;

/// <summary>
/// The embedded dead-letter store: newest first, capped at <see cref="RedisOptions.DeadLetterMaxEntries"/>; the count includes
/// entries the cap dropped and excludes those removed for privacy (as in Redis).
/// </summary>
internal sealed class InMemoryDeadLetterStore(IOptions<RedisOptions> options) : IDeadLetterStore
{
    private readonly int _maxEntries = options.Value.DeadLetterMaxEntries;
    private readonly Lock _gate = new();
    private readonly LinkedList<DeadLetter> _newestFirst = new();
    private long _count;

    public Task AddAsync(DeadLetter deadLetter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _newestFirst.AddFirst(deadLetter);
            while (_newestFirst.Count > _maxEntries)
            {
                _newestFirst.RemoveLast();
            }

            _count++;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 0);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<DeadLetter>>(_newestFirst.Take(max).ToList());
        }
    }

    public Task<long> CountAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_count);
        }
    }

    public Task RemoveContactAsync(string contactId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contactId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var node = _newestFirst.First;
            while (node is not null)
            {
                var next = node.Next;
                if (string.Equals(node.Value.ContactId, contactId, StringComparison.Ordinal))
                {
                    _newestFirst.Remove(node);
                    _count--;
                }

                node = next;
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> RemoveAsync(IReadOnlyCollection<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        cancellationToken.ThrowIfCancellationRequested();
        // The very instances ListAsync handed out: a letter recorded since is another instance, whatever its values. One pass.
        var wanted = new HashSet<DeadLetter>(deadLetters, ReferenceEqualityComparer.Instance);
        var removed = 0;
        lock (_gate)
        {
            var node = _newestFirst.First;
            while (node is not null)
            {
                var next = node.Next;
                if (wanted.Remove(node.Value))
                {
                    _newestFirst.Remove(node);
                    _count--;
                    removed++;
                }

                node = next;
            }
        }

        return Task.FromResult(removed);
    }
}
