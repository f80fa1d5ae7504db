namespace HubSyncWorker.Sandbox.Journal;

/// <summary>A journal subscription of the sandbox's app, as the subscriptions API created or last updated it.</summary>
/// <param name="Id">The id HubSpot gave it (kept across updates).</param>
/// <param name="SubscriptionType"><c>OBJECT</c>, <c>ASSOCIATION</c> or <c>GDPR_PRIVACY_DELETION</c>.</param>
/// <param name="ObjectTypeId"><c>0-1</c> (contacts).</param>
/// <param name="PortalId">The installing portal.</param>
/// <param name="Actions">The journaled actions (<c>CREATE</c>, <c>UPDATE</c>, ..., <c>ASSOCIATION_ADDED</c>, <c>GDPR_DELETE</c>), sorted.</param>
/// <param name="ObjectIds">Empty: every object of the type; else only these.</param>
/// <param name="Properties">For <c>OBJECT</c>: the properties whose changes are journaled (empty: every property).</param>
/// <param name="AssociatedObjectTypeIds">For <c>ASSOCIATION</c>: the other end's object types (<c>0-3</c> deals).</param>
/// <param name="CreatedAt">When it was first created.</param>
/// <param name="UpdatedAt">When an upsert last changed it.</param>
public sealed record SandboxJournalSubscription(
    long Id,
    string SubscriptionType,
    string ObjectTypeId,
    long PortalId,
    IReadOnlyList<string> Actions,
    IReadOnlyList<long> ObjectIds,
    IReadOnlyList<string> Properties,
    IReadOnlyList<string> AssociatedObjectTypeIds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>True when the subscription journals <paramref name="action"/> of <paramref name="objectId"/>.</summary>
    internal bool Covers(string action, long objectId) =>
        Actions.Contains(action, StringComparer.Ordinal) && (ObjectIds.Count == 0 || ObjectIds.Contains(objectId));

    /// <summary>Same wanted state (ignoring id and times): an upsert of it changes nothing.</summary>
    internal bool SameAs(SandboxJournalSubscription other) =>
        Actions.SequenceEqual(other.Actions) && ObjectIds.SequenceEqual(other.ObjectIds) && Properties.SequenceEqual(other.Properties)
        && AssociatedObjectTypeIds.SequenceEqual(other.AssociatedObjectTypeIds);
}
