using System.Text.RegularExpressions;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.HubSpot.Properties;
using Microsoft.Extensions.Logging;

namespace HubSyncWorker.HubSpot.Bootstrap;

/// <summary>
/// Makes sure HubSync's output property group and properties exist in the portal, with the right types and every
/// enumeration option. Idempotent: when everything is in place it only reads (two GETs) and writes nothing.
/// </summary>
public sealed partial class HubSpotPropertyBootstrapper(IHubSpotCrmClient client, ILogger<HubSpotPropertyBootstrapper> logger)
{
    /// <summary>
    /// Ensures <paramref name="group"/> and <paramref name="properties"/>. Throws <see cref="ArgumentException"/> for invalid
    /// definitions (before any call) and <see cref="HubSpotPropertyMismatchException"/> when an existing property has another type
    /// (before any write).
    /// </summary>
    public async Task<PropertyBootstrapSummary> EnsureAsync(PropertyGroupDefinition group, IReadOnlyList<PropertyDefinition> properties, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(properties);
        Validate(group, properties);

        var groups = await client.ListPropertyGroupsAsync(cancellationToken);
        var existing = (await client.ListPropertiesAsync(cancellationToken)).ToDictionary(p => p.Name, StringComparer.Ordinal);

        var mismatches = properties
            .Where(d => existing.TryGetValue(d.Name, out var current) && !SameType(current, d))
            .Select(d => new PropertyTypeMismatch(d.Name, d.Type, existing[d.Name].Type))
            .ToList();
        if (mismatches.Count > 0)
        {
            throw new HubSpotPropertyMismatchException(mismatches);
        }

        var groupCreated = false;
        if (!groups.Any(g => string.Equals(g.Name, group.Name, StringComparison.Ordinal)))
        {
            // 409: another replica created it in between; either way it exists now.
            groupCreated = await client.CreatePropertyGroupAsync(new PropertyGroupCreate(group.Name, group.Label), cancellationToken);
            if (groupCreated)
            {
                Log.PropertyGroupCreated(logger, group.Name);
            }
        }

        var created = new List<string>();
        var updated = new List<string>();
        var unchanged = new List<string>();
        foreach (var definition in properties)
        {
            if (!existing.TryGetValue(definition.Name, out var current))
            {
                if (await client.CreatePropertyAsync(ToCreate(definition, group), cancellationToken))
                {
                    Log.PropertyCreated(logger, definition.Name);
                    created.Add(definition.Name);
                    continue;
                }

                // 409: it appeared since the list (another replica): compare what is there now.
                current = await client.GetPropertyAsync(definition.Name, cancellationToken)
                    ?? throw new HubSpotApiException($"HubSpot reported contact property '{definition.Name}' as existing (409) but could not return it.");
                if (!SameType(current, definition))
                {
                    throw new HubSpotPropertyMismatchException([new PropertyTypeMismatch(definition.Name, definition.Type, current.Type)]);
                }
            }

            var update = Difference(current, definition);
            if (update is null)
            {
                unchanged.Add(definition.Name);
                continue;
            }

            await client.UpdatePropertyAsync(definition.Name, update.Value.Update, cancellationToken);
            Log.PropertyUpdated(logger, definition.Name, update.Value.Change);
            updated.Add(definition.Name);
        }

        Log.PropertiesEnsured(logger, created.Count, updated.Count, unchanged.Count);
        return new PropertyBootstrapSummary(groupCreated, created, updated, unchanged);
    }

    /// <summary>Checks every definition against HubSpot's rules; throws one <see cref="ArgumentException"/> listing all problems.</summary>
    internal static void Validate(PropertyGroupDefinition group, IReadOnlyList<PropertyDefinition> properties)
    {
        var problems = new List<string>();
        if (!InternalName().IsMatch(group.Name ?? string.Empty))
        {
            problems.Add($"group name '{group.Name}' must be lowercase letters, digits and underscores, starting with a letter");
        }

        if (string.IsNullOrWhiteSpace(group.Label))
        {
            problems.Add($"group '{group.Name}' needs a label");
        }

        foreach (var duplicate in properties.GroupBy(p => p.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"property '{duplicate.Key}' is defined {duplicate.Count()} times");
        }

        foreach (var property in properties)
        {
            var name = property.Name;
            if (!InternalName().IsMatch(name ?? string.Empty))
            {
                problems.Add($"property name '{name}' must be lowercase letters, digits and underscores, starting with a letter");
            }

            if (string.IsNullOrWhiteSpace(property.Label))
            {
                problems.Add($"property '{name}' needs a label");
            }

            if (!PropertyTypes.IsValidPair(property.Type, property.FieldType))
            {
                problems.Add($"property '{name}' has type '{property.Type}' with fieldType '{property.FieldType}', which HubSpot does not accept (valid: {PropertyTypes.Describe()})");
            }

            if (property.GroupName is { } groupName && !string.Equals(groupName, group.Name, StringComparison.Ordinal))
            {
                problems.Add($"property '{name}' belongs to group '{groupName}', not to the group being ensured ('{group.Name}')");
            }

            if (property.Type == "enumeration" && property.Options.Count == 0)
            {
                problems.Add($"enumeration property '{name}' needs at least one option");
            }

            if (property.Type != "enumeration" && property.Type != "bool" && property.Options.Count > 0)
            {
                problems.Add($"property '{name}' of type '{property.Type}' cannot have options");
            }

            foreach (var value in property.Options.GroupBy(o => o.Value, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            {
                problems.Add($"property '{name}' has option value '{value}' more than once");
            }

            if (property.Options.Any(o => string.IsNullOrWhiteSpace(o.Value) || string.IsNullOrWhiteSpace(o.Label)))
            {
                problems.Add($"property '{name}' has an option without a label or value");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid HubSpot property definitions: " + string.Join("; ", problems) + ".", nameof(properties));
        }
    }

    private static bool SameType(HubSpotProperty current, PropertyDefinition definition) =>
        string.Equals(current.Type, definition.Type, StringComparison.OrdinalIgnoreCase);

    private static PropertyCreate ToCreate(PropertyDefinition definition, PropertyGroupDefinition group) => new()
    {
        Name = definition.Name,
        Label = definition.Label,
        Type = definition.Type,
        FieldType = definition.FieldType,
        GroupName = definition.GroupName ?? group.Name,
        Description = definition.Description,
        Options = definition.Options.Count == 0 ? null : definition.Options,
        Hidden = definition.Hidden ? true : null,
        FormField = definition.Hidden ? false : null,
    };

    /// <summary>What must change on an existing property: its fieldType, and enumeration options it lacks (existing ones are kept).</summary>
    private static (PropertyUpdate Update, string Change)? Difference(HubSpotProperty current, PropertyDefinition definition)
    {
        var changes = new List<string>();
        string? fieldType = null;
        if (!string.Equals(current.FieldType, definition.FieldType, StringComparison.Ordinal))
        {
            fieldType = definition.FieldType;
            changes.Add($"fieldType {current.FieldType} → {definition.FieldType}");
        }

        IReadOnlyList<PropertyOption>? options = null;
        var known = current.Options.Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
        var missing = definition.Options.Where(o => !known.Contains(o.Value)).ToList();
        if (missing.Count > 0)
        {
            // PATCH replaces the whole list: send the union, existing options first and untouched (marketers may have relabelled them).
            // New options go after every existing one, also after those the portal returned without a display order (sent at their position).
            var nextOrder = Math.Max(current.Options.Select(o => o.DisplayOrder ?? -1).DefaultIfEmpty(-1).Max() + 1, current.Options.Count);
            options = [.. current.Options, .. missing.Select((o, i) => o with { DisplayOrder = o.DisplayOrder ?? nextOrder + i })];
            changes.Add("added options " + string.Join(", ", missing.Select(o => o.Value)));
        }

        return changes.Count == 0 ? null : (new PropertyUpdate { FieldType = fieldType, Options = options }, string.Join("; ", changes));
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex InternalName();
}
