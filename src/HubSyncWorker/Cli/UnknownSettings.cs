using System.Reflection;
using HubSyncWorker.Admin;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot;
using HubSyncWorker.Storage;
using HubSyncWorker.Sync;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker.Cli;

/// <summary>
/// Settings of the worker's own sections that no option reads: a misspelt key (<c>Sync:QueueBatchSze</c>) would otherwise be
/// ignored without a word, and the worker run with the default the operator meant to change. (The <c>Qualification</c> section
/// is checked by the policy loader, which refuses an unknown member the same way.)
/// </summary>
internal static class UnknownSettings
{
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
            var names = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).ToList();
            foreach (var child in configuration.GetSection(section).GetChildren())
            {
                if (names.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                var closest = names.Select(n => (Name: n, Distance: Distance(n.ToUpperInvariant(), child.Key.ToUpperInvariant()))).MinBy(c => c.Distance);
                messages.Add($"{section}:{child.Key} is not a setting of the {section} section"
                    + (closest.Distance <= 3 ? $"; did you mean {section}:{closest.Name}?" : $"; its settings: {string.Join(", ", names.Order(StringComparer.Ordinal))}."));
            }
        }

        return messages;
    }

    /// <summary>Levenshtein distance: edits (insert, delete, replace) from one name to the other.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
