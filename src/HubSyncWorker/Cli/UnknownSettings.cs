using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using HubSyncWorker.Admin;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker.Cli;

/// <summary>
/// Settings of the worker's own sections that no option reads (a misspelt <c>Sync:QueueBatchSze</c> would otherwise be ignored
/// without a word, and the worker run with the default the operator meant to change), and values their setting cannot hold.
/// (The <c>Qualification</c> section is checked by the policy loader, which refuses both the same way.)
/// </summary>
internal static class UnknownSettings
{
    /// <summary>
    /// Every value of the worker's sections its setting cannot hold, found when the host was built. Those values are then
    /// replaced by their settings' defaults for the binder (so the registrations reading their settings early do not stop at
    /// the first, and no range check reports a stand-in), and <see cref="WorkerCommands.ValidateConfiguration"/> lists them
    /// with every other problem; the host never runs with them.
    /// </summary>
    internal sealed record UnconvertibleValues(IReadOnlyList<string> Messages);

    /// <summary>Finds the values <see cref="FindUnconvertible"/> reports, keeps their messages in the services and sets their defaults in their place.</summary>
    public static void SetAsideUnconvertible(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var unconvertible = FindUnconvertibleSettings(builder.Configuration);
        if (unconvertible.Count > 0)
        {
            builder.Services.AddSingleton(new UnconvertibleValues([.. unconvertible.Select(u => u.Message)]));
            builder.Configuration.AddInMemoryCollection(unconvertible.Select(u => KeyValuePair.Create(u.Key, u.DefaultText)));
        }
    }

    private static readonly (string Section, Type Options)[] Sections =
    [
        (HubSpotOptions.SectionName, typeof(HubSpotOptions)),
        (WebhookOptions.SectionName, typeof(WebhookOptions)),
        (RedisOptions.SectionName, typeof(RedisOptions)),
        (SyncOptions.SectionName, typeof(SyncOptions)),
        (DiagnosticsOptions.SectionName, typeof(DiagnosticsOptions)),
        (AdminOptions.SectionName, typeof(AdminOptions)),
    ];

    /// <summary>One message per unknown key, naming it and, when one is close, the setting probably meant.</summary>
    public static IReadOnlyList<string> Find(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var messages = new List<string>();
        foreach (var (section, type) in Sections)
        {
            var names = Settings(type).Select(p => p.Name).ToList();
            foreach (var child in configuration.GetSection(section).GetChildren())
            {
                if (names.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                var closest = Qualification.Policy.SettingNames.Closest(child.Key, names);
                messages.Add($"{section}:{child.Key} is not a setting of the {section} section"
                    + (closest is not null ? $"; did you mean {section}:{closest}?" : $"; its settings: {string.Join(", ", names.Order(StringComparer.Ordinal))}."));
            }
        }

        return messages;
    }

    /// <summary>
    /// One message per value of these sections that its setting's type cannot hold (<c>Sync:IncrementalInterval=5m</c> for a
    /// time span), all of them: the configuration binder stops at the first, so a run would otherwise report them one at a time.
    /// Converted as the binder converts them (the type's converter, invariant culture); empty values are left to the binder.
    /// </summary>
    public static IReadOnlyList<string> FindUnconvertible(IConfiguration configuration) =>
        [.. FindUnconvertibleSettings(configuration).Select(s => s.Message)];

    /// <summary>
    /// <see cref="FindUnconvertible"/> with each value's configuration key (<c>Sync:IncrementalInterval</c>) and its setting's
    /// default, as text.
    /// </summary>
    public static IReadOnlyList<(string Key, string Message, string? DefaultText)> FindUnconvertibleSettings(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var messages = new List<(string Key, string Message, string? DefaultText)>();
        foreach (var (section, type) in Sections)
        {
            var properties = Settings(type);
            foreach (var child in configuration.GetSection(section).GetChildren())
            {
                var property = properties.Find(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
                var target = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (target is null || string.IsNullOrEmpty(child.Value) || !(target.IsPrimitive || target.IsEnum || target == typeof(TimeSpan)
                    || target == typeof(decimal) || target == typeof(Uri) || target == typeof(DateTimeOffset)))
                {
                    continue;
                }

                var converter = TypeDescriptor.GetConverter(target);
                try
                {
                    _ = converter.ConvertFromInvariantString(child.Value);
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or NotSupportedException
                    || ex.InnerException is FormatException or OverflowException)
                {
                    var defaultValue = property!.GetValue(Activator.CreateInstance(type));
                    messages.Add((child.Path, $"{section}:{property.Name} = '{child.Value}' is not {Expected(target)}.",
                        defaultValue is null ? null : converter.ConvertToInvariantString(defaultValue)));
                }
            }
        }

        return messages;
    }

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

    /// <summary>
    /// Stops with every value its setting cannot hold and every misspelt key, if any: for a host that never runs
    /// <see cref="WorkerCommands.ValidateConfiguration"/> (the <c>deadletters</c> verb's).
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A value or key is bad; each is listed.</exception>
    public static void ThrowIfBad(IConfiguration configuration)
    {
        if (FindUnconvertible(configuration).Concat(Find(configuration)).ToList() is { Count: > 0 } bad)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException("configuration", typeof(IConfiguration), bad);
        }
    }

    private static List<PropertyInfo> Settings(Type options) =>
        [.. options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)];
}
