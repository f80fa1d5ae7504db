using HubSyncWorker.HubSpot.Settings;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Startup;

/// <summary>
/// Keys of the host's sections that no option reads: a misspelt <c>Sync:QueueBatchSze</c> would otherwise be ignored without a
/// word, and the worker run with the default the operator meant to change. The sections are those the host registered
/// (<see cref="ValidatedSections.AddValidatedSection{TOptions}"/>); the <c>Qualification</c> section is checked by the policy
/// loader, which refuses unknown keys the same way.
/// </summary>
internal static class UnknownSettings
{
    /// <summary>One message per unknown key of <paramref name="sections"/>, naming it and, when one is close, the setting probably meant.</summary>
    public static IReadOnlyList<string> Find(IConfiguration configuration, IEnumerable<SettingsSection> sections)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(sections);
        var messages = new List<string>();
        foreach (var section in sections.Distinct())
        {
            var names = section.SettingNames;
            foreach (var child in configuration.GetSection(section.Name).GetChildren())
            {
                if (names.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                var closest = SettingNames.Closest(child.Key, names);
                messages.Add($"{section.Name}:{child.Key} is not a setting of the {section.Name} section"
                    + (closest is not null ? $"; did you mean {section.Name}:{closest}?" : $"; its settings: {string.Join(", ", names.Order(StringComparer.Ordinal))}."));
            }
        }

        return messages;
    }
}
