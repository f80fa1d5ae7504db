namespace HubSyncWorker.HubSpot.Engagements;

/// <summary>A task to create for an owner, about a contact (and, when given, a lead).</summary>
public sealed record TaskToCreate
{
    /// <summary>The contact the task is about (association type 204).</summary>
    public required string ContactId { get; init; }

    /// <summary><c>hubspot_owner_id</c>: who must do it.</summary>
    public required string OwnerId { get; init; }

    /// <summary><c>hs_task_subject</c>.</summary>
    public required string Subject { get; init; }

    /// <summary><c>hs_timestamp</c>: the due date, required by HubSpot.</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary><c>hs_task_body</c>.</summary>
    public string? Body { get; init; }

    /// <summary><c>hs_task_priority</c>: <c>LOW</c>, <c>MEDIUM</c>, <c>HIGH</c>.</summary>
    public string? Priority { get; init; }

    /// <summary><c>hs_task_type</c>: <c>CALL</c>, <c>EMAIL</c>, <c>TODO</c>.</summary>
    public string? Type { get; init; }

    /// <summary>A lead to associate the task with too (association type 647); null for none.</summary>
    public string? LeadId { get; init; }
}

/// <summary>A created HubSpot task.</summary>
public sealed record HubSpotTask(string Id, IReadOnlyDictionary<string, string?> Properties, DateTimeOffset? CreatedAt);
