using System.Globalization;

namespace HubSyncWorker.HubSpot.Settings;

/// <summary>
/// The one format of a setting's error: the key, what it must be, and the value it had
/// (<c>Sync:QueueBatchSize must be between 1 and 100; was '500'.</c>); a secret's value is never shown.
/// </summary>
public static class SettingMessages
{
    /// <summary><c>{key} {rule}; was '{value}'.</c></summary>
    public static string Invalid(string key, object? value, string rule) => $"{key} {rule}; was '{Text(value)}'.";

    /// <summary>A rule between two settings: <c>{key} {rule} {otherKey} ('{otherValue}'); was '{value}'.</c></summary>
    public static string Invalid(string key, object? value, string rule, string otherKey, object? otherValue) =>
        $"{key} {rule} {otherKey} ('{Text(otherValue)}'); was '{Text(value)}'.";

    /// <summary>A secret's error, which names the key and never the value: <c>{key} {rule} (value not shown).</c></summary>
    public static string InvalidSecret(string key, string rule) => $"{key} {rule} (value not shown).";

    /// <summary>A value as configuration writes it: time spans as <c>hh:mm:ss</c> (<c>c</c> format), numbers in the invariant culture.</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
