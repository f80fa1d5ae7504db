using System.Globalization;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>Parsing and formatting of HubSpot property values (every value is a string), culture-invariant.</summary>
public static class HubSpotValues
{
    /// <summary>Parses a number ("200", "200.0", "1e3"); null when empty or not a number.</summary>
    public static double? ParseNumber(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null;
    }

    /// <summary>Parses a HubSpot date or datetime: epoch milliseconds or ISO 8601 (UTC assumed when no offset).</summary>
    public static DateTimeOffset? ParseDateTime(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var span = value.AsSpan().Trim();
        if (IsAllDigits(span))
        {
            return long.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= 253_402_300_799_999L
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : null;
        }

        return DateTimeOffset.TryParse(span, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;
    }

    /// <summary>Parses a HubSpot <c>date</c> value to its UTC calendar day.</summary>
    public static DateOnly? ParseDate(string? value)
    {
        var parsed = ParseDateTime(value);
        return parsed is null ? null : DateOnly.FromDateTime(parsed.Value.UtcDateTime);
    }

    /// <summary>Formats a <c>date</c> value as HubSpot accepts it: ISO <c>yyyy-MM-dd</c>.</summary>
    public static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Formats an integer score: "75", no culture, no decimals.</summary>
    public static string FormatInteger(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool IsAllDigits(ReadOnlySpan<char> span)
    {
        if (span.IsEmpty)
        {
            return false;
        }

        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
