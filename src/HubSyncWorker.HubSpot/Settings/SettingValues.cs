using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace HubSyncWorker.HubSpot.Settings;

/// <summary>Values of a section that their setting's type cannot hold (<c>Sync:IncrementalInterval=5m</c> for a time span).</summary>
internal static class SettingValues
{
    /// <summary>
    /// Each value its setting cannot hold, with its message; converted as the binder converts them (the type's converter, invariant
    /// culture). Empty values and settings that are not scalars are left to the binder.
    /// </summary>
    public static IReadOnlyList<(string Setting, string Message)> Unconvertible(IConfigurationSection section, Type optionsType)
    {
        var found = new List<(string, string)>();
        var properties = ValidatedSections.Settings(optionsType);
        foreach (var child in section.GetChildren())
        {
            var property = properties.Find(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            var target = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (target is null || string.IsNullOrEmpty(child.Value) || !IsScalar(target))
            {
                continue;
            }

            try
            {
                _ = TypeDescriptor.GetConverter(target).ConvertFromInvariantString(child.Value);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or NotSupportedException
                || ex.InnerException is FormatException or OverflowException)
            {
                found.Add((property!.Name, SettingMessages.Invalid($"{section.Path}:{property.Name}", child.Value, "must be " + Expected(target))));
            }
        }

        return found;
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(TimeSpan) || type == typeof(decimal) || type == typeof(Uri) || type == typeof(DateTimeOffset);

    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(TimeSpan) => "a time span: hh:mm:ss, e.g. 00:05:00 for five minutes, or d.hh:mm:ss, e.g. 1.00:00:00 for a day",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => string.Create(CultureInfo.InvariantCulture, $"a whole number (up to {(type == typeof(int) ? int.MaxValue : long.MaxValue)})"),
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number, with a dot for decimals",
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ when type == typeof(Uri) => "a URL",
        _ => $"a valid {type.Name}",
    };
}
