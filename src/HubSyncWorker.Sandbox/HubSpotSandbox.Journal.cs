using HubSyncWorker.Sandbox.Journal;

namespace HubSyncWorker.Sandbox;

/// <summary>The Webhooks Journal side of the sandbox portal: the client-credentials token endpoint, subscriptions and the journal.</summary>
public sealed partial class HubSpotSandbox
{
    /// <summary>The portal's Webhooks Journal: inspect its entries, offsets and subscriptions; age it with the sandbox clock.</summary>
    public SandboxJournal Journal { get; private init; } = null!;
}
