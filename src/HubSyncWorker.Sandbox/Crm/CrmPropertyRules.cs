using System.Collections.Concurrent;
using System.Globalization;
using HubSyncWorker.Sandbox.Owners;

namespace HubSyncWorker.Sandbox.Crm;

/// <summary>
/// Property rules shared by leads and tasks: unknown properties are refused (<c>PROPERTY_DOESNT_EXIST</c>), calculated ones are read-only
/// (<c>READ_ONLY_VALUE</c>), <c>hubspot_owner_id</c> must name an active owner (<c>INVALID_OWNER_ID</c>), enumerations take only their
/// options (<c>INVALID_OPTION</c>), datetimes ISO 8601 or epoch milliseconds. An empty string clears a value.
/// </summary>
internal abstract class CrmPropertyRules(SandboxOwners owners) : ICrmObjectRules
{
    private readonly ConcurrentDictionary<string, byte> _custom = new(StringComparer.Ordinal);

    /// <summary>Writable properties; a non-null option list makes the property an enumeration.</summary>
    protected abstract IReadOnlyDictionary<string, string[]?> Writable { get; }

    /// <summary>Properties only HubSpot sets.</summary>
    protected abstract IReadOnlySet<string> Calculated { get; }

    /// <summary>Properties holding a datetime.</summary>
    protected virtual IReadOnlySet<string> Datetimes { get; } = new HashSet<string>(StringComparer.Ordinal);

    public void Define(string name) => _custom[name] = 0;

    public bool Exists(string name) => Writable.ContainsKey(name) || Calculated.Contains(name) || _custom.ContainsKey(name);

    public virtual List<CrmPropertyError> Validate(IReadOnlyDictionary<string, string>? current, IReadOnlyDictionary<string, string?> input, bool create, Dictionary<string, string> normalized)
    {
        var errors = new List<CrmPropertyError>();
        foreach (var (name, raw) in input)
        {
            var value = raw ?? "";
            if (Calculated.Contains(name))
            {
                errors.Add(new CrmPropertyError(name, "READ_ONLY_VALUE", $"\"{name}\" is a read only property; its value cannot be set."));
            }
            else if (!Writable.TryGetValue(name, out var options) && !_custom.ContainsKey(name))
            {
                errors.Add(new CrmPropertyError(name, "PROPERTY_DOESNT_EXIST", $"Property \"{name}\" does not exist"));
            }
            else if (value.Length == 0)
            {
                normalized[name] = "";
            }
            else if (name == "hubspot_owner_id" && !owners.IsActive(value))
            {
                errors.Add(new CrmPropertyError(name, "INVALID_OWNER_ID", $"{value} is not a valid owner id"));
            }
            else if (options is not null && !options.Contains(value, StringComparer.Ordinal))
            {
                errors.Add(new CrmPropertyError(name, "INVALID_OPTION", $"{value} was not one of the allowed options: [{string.Join(", ", options)}]"));
            }
            else if (Datetimes.Contains(name))
            {
                if (TryDatetime(value) is { } instant)
                {
                    normalized[name] = Properties.PropertyCatalog.FormatDateTime(instant);
                }
                else
                {
                    errors.Add(new CrmPropertyError(name, "INVALID_DATETIME", $"{value} was not a valid datetime (epoch milliseconds or ISO 8601)."));
                }
            }
            else
            {
                normalized[name] = value;
            }
        }

        return errors;
    }

    public abstract void Recompute(CrmObjectRecord record);

    /// <summary>The calculated values every object has: id, creation and last modification.</summary>
    protected static void RecomputeCommon(CrmObjectRecord record)
    {
        record.Values["hs_object_id"] = record.IdText;
        record.Values["hs_createdate"] = Properties.PropertyCatalog.FormatDateTime(record.CreatedAt);
        record.Values["hs_lastmodifieddate"] = Properties.PropertyCatalog.FormatDateTime(record.UpdatedAt);
    }

    private static DateTimeOffset? TryDatetime(string value)
    {
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var epochMs))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(epochMs);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            ? instant
            : null;
    }
}
