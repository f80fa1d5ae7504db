namespace HubSyncWorker.Sandbox.Properties;

/// <summary>One option of an enumeration property.</summary>
public sealed record SandboxPropertyOption(string Label, string Value, int DisplayOrder = 0, bool Hidden = false, string? Description = null);

/// <summary>A contact property as the properties API describes it. Immutable: an update replaces the definition.</summary>
public sealed record SandboxProperty
{
    public required string Name { get; init; }

    public required string Label { get; init; }

    /// <summary>HubSpot type: <c>string</c>, <c>number</c>, <c>bool</c>, <c>enumeration</c>, <c>date</c>, <c>datetime</c>.</summary>
    public required string Type { get; init; }

    public required string FieldType { get; init; }

    public required string GroupName { get; init; }

    public string Description { get; init; } = "";

    public IReadOnlyList<SandboxPropertyOption> Options { get; init; } = [];

    public int DisplayOrder { get; init; } = -1;

    public bool Hidden { get; init; }

    /// <summary>True for HubSpot's built-in properties.</summary>
    public bool HubspotDefined { get; init; }

    /// <summary>True when the value is computed by HubSpot and cannot be written through the API.</summary>
    public bool ReadOnlyValue { get; init; }

    public bool Calculated { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A property group as the properties API describes it.</summary>
public sealed record SandboxPropertyGroup(string Name, string Label, int DisplayOrder);
