using HubSyncWorker.Sandbox.Engagements;
using HubSyncWorker.Sandbox.Http;
using HubSyncWorker.Sandbox.Leads;
using HubSyncWorker.Sandbox.Owners;

namespace HubSyncWorker.Sandbox;

/// <summary>The sales side of the sandbox portal: Leads (Sales Hub), owners and tasks.</summary>
public sealed partial class HubSpotSandbox
{
    /// <summary>The portal's leads: read what the worker created, move them through stages as a salesperson would.</summary>
    public SandboxLeadStore Leads => Sales.Leads;

    /// <summary>The portal's owners (three active salespeople to start with).</summary>
    public SandboxOwners Owners => Sales.Owners;

    /// <summary>The portal's tasks.</summary>
    public SandboxTaskStore Tasks => Sales.Tasks;

    private SandboxSales Sales { get; init; } = null!;
}
