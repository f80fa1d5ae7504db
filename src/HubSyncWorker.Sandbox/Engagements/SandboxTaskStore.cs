using System.Globalization;
using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sandbox.Crm;
using HubSyncWorker.Sandbox.Owners;

namespace HubSyncWorker.Sandbox.Engagements;

/// <summary>A copy of a task: its values (calculated ones included), associated contact ids and dates.</summary>
public sealed record SandboxTask(string Id, IReadOnlyDictionary<string, string> Properties, IReadOnlyList<string> ContactIds, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary><c>hs_task_subject</c>.</summary>
    public string? Subject => Properties.GetValueOrDefault("hs_task_subject");

    /// <summary><c>hubspot_owner_id</c>: who the task is assigned to.</summary>
    public string? OwnerId => Properties.GetValueOrDefault("hubspot_owner_id");

    /// <summary><c>hs_task_status</c> (<c>NOT_STARTED</c> when created without one).</summary>
    public string? Status => Properties.GetValueOrDefault("hs_task_status");
}

/// <summary>The task engagement properties: <c>hs_timestamp</c> (the due date) required on create, the status, priority and type options.</summary>
internal sealed class TaskRules(SandboxOwners owners) : CrmPropertyRules(owners)
{
    protected override IReadOnlyDictionary<string, string[]?> Writable { get; } = new Dictionary<string, string[]?>(StringComparer.Ordinal)
    {
        ["hs_task_subject"] = null,
        ["hs_task_body"] = null,
        ["hs_timestamp"] = null,
        ["hubspot_owner_id"] = null,
        ["hs_task_status"] = ["NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"],
        ["hs_task_priority"] = ["NONE", "LOW", "MEDIUM", "HIGH"],
        ["hs_task_type"] = ["EMAIL", "CALL", "TODO", "LINKED_IN"],
    };

    protected override IReadOnlySet<string> Calculated { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "hs_object_id", "hs_createdate", "hs_lastmodifieddate",
    };

    protected override IReadOnlySet<string> Datetimes { get; } = new HashSet<string>(StringComparer.Ordinal) { "hs_timestamp" };

    public override List<CrmPropertyError> Validate(IReadOnlyDictionary<string, string>? current, IReadOnlyDictionary<string, string?> input, bool create, Dictionary<string, string> normalized)
    {
        var errors = base.Validate(current, input, create, normalized);
        if (create && string.IsNullOrWhiteSpace(input.GetValueOrDefault("hs_timestamp")))
        {
            errors.Add(new CrmPropertyError("hs_timestamp", "REQUIRED_PROPERTY", "hs_timestamp (the task's due date) is required."));
        }

        if (create)
        {
            normalized.TryAdd("hs_task_status", "NOT_STARTED");
        }

        return errors;
    }

    public override void Recompute(CrmObjectRecord record) => RecomputeCommon(record);
}

/// <summary>The portal's tasks (engagements): what the worker assigns to salespeople, readable per contact. Thread-safe.</summary>
public sealed class SandboxTaskStore
{
    private readonly TaskRules _rules;

    internal SandboxTaskStore(SandboxOwners owners, TimeProvider time, TimeSpan indexLag)
    {
        _rules = new TaskRules(owners);
        Table = new CrmObjectTable(_rules, time, indexLag, firstId: 52_000_000_001);
    }

    /// <summary>Tasks not archived.</summary>
    public int Count => Table.Count;

    internal CrmObjectTable Table { get; }

    /// <summary>A copy of the task; null when unknown or archived.</summary>
    public SandboxTask? Get(string taskId) => Table.Get(taskId, []) is { } view ? ToTask(view) : null;

    /// <summary>The tasks associated with a contact, oldest first.</summary>
    public IReadOnlyList<SandboxTask> ForContact(string contactId) =>
        long.TryParse(contactId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? [.. Table.ForContact(id).Select(ToTask)] : [];

    /// <summary>Marks a task completed as its owner would. False when unknown.</summary>
    public bool Complete(string taskId, long userId = 1) =>
        Table.Update(taskId, new Dictionary<string, string?> { ["hs_task_status"] = "COMPLETED" }, ChangeOrigin.User(userId)).Found;

    internal static SandboxTask ToTask(CrmObjectView view) => new(
        view.IdText,
        view.State.Values,
        [.. view.State.ContactIds.Select(c => c.ToString(CultureInfo.InvariantCulture))],
        view.CreatedAt,
        view.State.UpdatedAt);
}
