namespace HubSyncWorker.Qualification;

/// <summary>Marker for the qualification policy assembly (filled by the policy engine).</summary>
public static class QualificationAssembly;
