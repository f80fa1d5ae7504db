using System.Globalization;

namespace HubSyncWorker.Qualification.Policy;

/// <summary>The checks every section shares: property names, lists, thresholds and numbers, each error naming its path and value.</summary>
internal static class PolicyChecks
{
    public static bool IsInternalName(string name)
    {
        if (!char.IsAsciiLetterLower(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool Missing(List<PolicyError> errors, object? section, string path)
    {
        if (section is null)
        {
            errors.Add(new(path, null, "is required"));
            return true;
        }

        return false;
    }

    public static void PropertyName(List<PolicyError> errors, string? name, string path)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new(path, name, "a property name is required"));
        }
        else if (name.Trim() != name || name.Contains(' ', StringComparison.Ordinal))
        {
            errors.Add(new(path, name, "a property name cannot contain spaces"));
        }
    }

    public static void PropertyNames(List<PolicyError> errors, List<string>? names, string path, bool allowEmpty)
    {
        if (names is null || names.Count == 0)
        {
            if (!allowEmpty)
            {
                errors.Add(new(path, null, "needs at least one property"));
            }

            return;
        }

        for (var i = 0; i < names.Count; i++)
        {
            PropertyName(errors, names[i], $"{path}:{i}");
        }
    }

    public static void Keywords(List<PolicyError> errors, List<string>? values, string path, bool allowEmpty)
    {
        if (values is null || values.Count == 0)
        {
            if (!allowEmpty)
            {
                errors.Add(new(path, values is null ? null : "[]", "the list cannot be empty"));
            }

            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i]))
            {
                errors.Add(new($"{path}:{i}", values[i], "an entry cannot be empty"));
            }
        }
    }

    public static void Threshold(List<PolicyError> errors, int value, int max, string path)
    {
        if (value < 0 || value > max)
        {
            errors.Add(new(path, Str(value), $"threshold out of range (0..{Str(max)})"));
        }
    }

    public static void Weight(List<PolicyError> errors, double value, string path)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1)
        {
            errors.Add(new(path, Str(value), "must be between 0 and 1"));
        }
    }

    public static void NonNegative(List<PolicyError> errors, double value, string path)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            errors.Add(new(path, Str(value), "must be 0 or more"));
        }
    }

    public static string Str(double value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
