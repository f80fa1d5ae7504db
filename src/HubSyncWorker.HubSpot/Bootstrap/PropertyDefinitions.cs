using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.HubSpot.Properties;

namespace HubSyncWorker.HubSpot.Bootstrap;

/// <summary>The property group the worker's output properties live in.</summary>
public sealed record PropertyGroupDefinition(string Name, string Label);

/// <summary>
/// One output property the worker needs. <see cref="Type"/>/<see cref="FieldType"/> must be a pair HubSpot accepts:
/// bool→booleancheckbox; enumeration→select|radio|checkbox|booleancheckbox; date/datetime→date; string→text|textarea; number→number.
/// </summary>
public sealed record PropertyDefinition
{
    public required string Name { get; init; }

    public required string Label { get; init; }

    public required string Type { get; init; }

    public required string FieldType { get; init; }

    public string? Description { get; init; }

    /// <summary>Required (non-empty) for enumerations, empty otherwise.</summary>
    public IReadOnlyList<PropertyOption> Options { get; init; } = [];

    /// <summary>The group; <see langword="null"/> means the group being ensured.</summary>
    public string? GroupName { get; init; }

    /// <summary>Hidden in HubSpot's record views and forms (a property only the worker reads). Set on creation only.</summary>
    public bool Hidden { get; init; }
}

/// <summary>What <see cref="HubSpotPropertyBootstrapper.EnsureAsync"/> did; a second run reports every property unchanged.</summary>
public sealed record PropertyBootstrapSummary(bool GroupCreated, IReadOnlyList<string> Created, IReadOnlyList<string> Updated, IReadOnlyList<string> Unchanged);

/// <summary>
/// An existing HubSpot property has a different type than the worker needs. HubSpot cannot convert it safely, so the
/// worker refuses to start; an admin must rename or delete the property.
/// </summary>
public sealed class HubSpotPropertyMismatchException : HubSpotException
{
    public HubSpotPropertyMismatchException()
    {
    }

    public HubSpotPropertyMismatchException(string message)
        : base(message)
    {
    }

    public HubSpotPropertyMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal HubSpotPropertyMismatchException(IReadOnlyList<PropertyTypeMismatch> mismatches)
        : base(string.Join(
            " ",
            mismatches.Select(m => $"HubSpot contact property '{m.PropertyName}' exists with type '{m.ActualType}' but HubSync needs type '{m.ExpectedType}'; rename or delete the existing property.")))
    {
        Mismatches = mismatches;
    }

    /// <summary>Each property whose type differs.</summary>
    public IReadOnlyList<PropertyTypeMismatch> Mismatches { get; } = [];
}

/// <summary>One property whose existing type differs from the definition.</summary>
public sealed record PropertyTypeMismatch(string PropertyName, string ExpectedType, string? ActualType);

/// <summary>HubSpot's valid type → fieldType pairs for created properties.</summary>
internal static class PropertyTypes
{
    private static readonly Dictionary<string, string[]> ValidFieldTypes = new(StringComparer.Ordinal)
    {
        ["bool"] = ["booleancheckbox"],
        ["enumeration"] = ["select", "radio", "checkbox", "booleancheckbox"],
        ["date"] = ["date"],
        ["datetime"] = ["date"],
        ["string"] = ["text", "textarea"],
        ["number"] = ["number"],
    };

    public const int MaxStringLength = 65_536;

    public static bool IsValidPair(string type, string fieldType) =>
        ValidFieldTypes.TryGetValue(type, out var fieldTypes) && fieldTypes.Contains(fieldType, StringComparer.Ordinal);

    public static string Describe() => string.Join("; ", ValidFieldTypes.Select(p => $"{p.Key}→{string.Join("|", p.Value)}"));
}
