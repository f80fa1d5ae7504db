using HubSyncWorker.Sandbox;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>
/// Stops a resync part-way, as a killed pod would: <see cref="Record"/>, given to <see cref="SandboxOptions.RequestLog"/>, cancels
/// <see cref="Token"/> when the sandbox answers the <paramref name="stopAt"/>th list call, and counts every list call.
/// </summary>
internal sealed class ListCallStop(int stopAt) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private int _listCalls;

    /// <summary>Cancelled at the chosen list call.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>List calls the sandbox answered so far.</summary>
    public int ListCalls => Volatile.Read(ref _listCalls);

    public void Record(SandboxRequestLogEntry entry)
    {
        if (entry.Endpoint == SandboxEndpoint.ContactsList && Interlocked.Increment(ref _listCalls) == stopAt)
        {
            _stop.Cancel();
        }
    }

    public void Dispose() => _stop.Dispose();
}
