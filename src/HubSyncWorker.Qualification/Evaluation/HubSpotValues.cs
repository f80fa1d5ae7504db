using System.Globalization;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>Parsing and formatting of HubSpot property values (every value is a string), culture-invariant.</summary>
public static class HubSpotValues
{
    // The last millisecond of year 9999 (DateTimeOffset.MaxValue), and the epoch in ticks.
    private const long MaxUnixMilliseconds = 253_402_300_799_999L;
    private const long UnixEpochTicks = 621_355_968_000_000_000L;

    /// <summary>Parses a number ("200", "200.0", "1e3"); null when empty or not a number.</summary>
    public static double? ParseNumber(string? value) => TryParseNumber(value, out var number) ? number : null;

    /// <summary>Parses a number ("200", "200.0", "1e3"); false when empty or not a number (no nullable to unwrap on the hot path).</summary>
    public static bool TryParseNumber(string? value, out double number)
    {
        if (value is null)
        {
            number = 0;
            return false;
        }

        // Fast path: most HubSpot numbers are plain integers ("200"), checked before any scan for white space.
        var span = value.AsSpan();
        var negative = span.Length > 0 && span[0] == '-';
        var digits = negative ? span[1..] : span;
        if (digits.Length is > 0 and <= 15)
        {
            long whole = 0;
            var plain = true;
            foreach (var c in digits)
            {
                var digit = (uint)(c - '0');
                if (digit > 9)
                {
                    plain = false;
                    break;
                }

                whole = (whole * 10) + digit;
            }

            if (plain)
            {
                number = negative ? -whole : whole;
                return true;
            }
        }

        return TryParseOther(value, out number);
    }

    private static bool TryParseOther(string value, out double number)
    {
        if (!string.IsNullOrWhiteSpace(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number))
        {
            return true;
        }

        number = 0;
        return false;
    }

    /// <summary>Parses a HubSpot date or datetime: epoch milliseconds or ISO 8601 (UTC assumed when no offset).</summary>
    public static DateTimeOffset? ParseDateTime(string? value)
    {
        if (value is null)
        {
            return null;
        }

        // Fast path: HubSpot's 13-digit epoch milliseconds, checked before any scan for white space.
        if (value.Length is > 0 and <= 15)
        {
            long milliseconds = 0;
            var i = 0;
            for (; i < value.Length; i++)
            {
                var digit = (uint)(value[i] - '0');
                if (digit > 9)
                {
                    break;
                }

                milliseconds = (milliseconds * 10) + digit;
            }

            if (i == value.Length)
            {
                return milliseconds <= MaxUnixMilliseconds ? new DateTimeOffset(UnixEpochTicks + (milliseconds * TimeSpan.TicksPerMillisecond), TimeSpan.Zero) : null;
            }
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var span = value.AsSpan().Trim();

        // Up to 18 digits cannot overflow a long: summed here in the same pass that checks them (HubSpot's 13-digit
        // timestamps); longer runs of digits (leading zeros, or out of range) go through long.TryParse.
        long ms = 0;
        var digits = 0;
        while (digits < span.Length && digits < 18 && char.IsAsciiDigit(span[digits]))
        {
            ms = (ms * 10) + (span[digits++] - '0');
        }

        if (digits == span.Length || (digits == 18 && IsAllDigits(span[18..])))
        {
            if (digits < span.Length && !long.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out ms))
            {
                return null;
            }

            return ms <= MaxUnixMilliseconds ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }

        if (TryParseIsoUtc(span, out var fast))
        {
            return fast;
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

    /// <summary>Fast path for the shapes HubSpot returns: <c>yyyy-MM-dd</c> and <c>yyyy-MM-ddTHH:mm:ss[.fffffff]Z</c>.</summary>
    private static bool TryParseIsoUtc(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 10 || s[4] != '-' || s[7] != '-'
            || !TryDigits(s[..4], out var year) || !TryDigits(s.Slice(5, 2), out var month) || !TryDigits(s.Slice(8, 2), out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        if (s.Length == 10)
        {
            value = new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero);
            return true;
        }

        if (s.Length < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[^1] != 'Z'
            || !TryDigits(s.Slice(11, 2), out var hour) || !TryDigits(s.Slice(14, 2), out var minute) || !TryDigits(s.Slice(17, 2), out var second)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        long fractionTicks = 0;
        var fraction = s[19..^1];
        if (!fraction.IsEmpty)
        {
            if (fraction[0] != '.' || fraction.Length is < 2 or > 8 || !TryDigits(fraction[1..], out var f))
            {
                return false;
            }

            fractionTicks = f;
            for (var i = fraction.Length - 1; i < 7; i++)
            {
                fractionTicks *= 10;
            }
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).AddTicks(fractionTicks);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> span, out int value)
    {
        value = 0;
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

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
