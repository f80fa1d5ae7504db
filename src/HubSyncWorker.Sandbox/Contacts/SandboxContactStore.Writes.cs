using HubSyncWorker.Sandbox.Properties;

namespace HubSyncWorker.Sandbox.Contacts;

/// <summary>One input of a batch update, as posted.</summary>
internal sealed record ContactWrite(string Id, IReadOnlyDictionary<string, string?> Properties, string? ObjectWriteTraceId);

/// <summary>The outcome of one batch-update input.</summary>
internal enum WriteStatus
{
    Changed,
    Unchanged,
    NotFound,
    MergedAway,
    Invalid,
}

/// <summary>One batch-update input's outcome; <see cref="View"/> is set for written inputs, <see cref="Errors"/> for invalid ones.</summary>
internal sealed record WriteOutcome(ContactWrite Input, WriteStatus Status, ContactView? View, IReadOnlyList<PropertyError>? Errors);

/// <summary>Why one property value was refused.</summary>
internal sealed record PropertyError(string Name, string Code, string Message);

/// <summary>The store's write side: batch-update validation (values and the portal's rules) and writes, by the API or by people.</summary>
public sealed partial class SandboxContactStore
{
    /// <summary>The first input of <paramref name="inputs"/> with a value this portal refuses, and its errors; null when every value is valid.</summary>
    internal (ContactWrite Input, List<PropertyError> Errors)? FirstInvalid(IReadOnlyList<ContactWrite> inputs, bool asIntegration)
    {
        lock (_lock)
        {
            foreach (var input in inputs)
            {
                var (errors, _) = Check(input, asIntegration);
                if (errors.Count > 0)
                {
                    return (input, errors);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The inputs that would leave their contact breaking one of <paramref name="rules"/>, each with the rules it breaks. A value written
    /// counts as written (<c>""</c> clears); a property not written keeps its current value. Inputs for unknown or archived ids break nothing here
    /// (they get their own <c>OBJECT_NOT_FOUND</c>).
    /// </summary>
    internal List<(ContactWrite Input, List<SandboxValidationRule> Broken)> RuleViolations(IReadOnlyList<ContactWrite> inputs, IReadOnlyList<SandboxValidationRule> rules)
    {
        var violations = new List<(ContactWrite, List<SandboxValidationRule>)>();
        if (rules.Count == 0)
        {
            return violations;
        }

        lock (_lock)
        {
            foreach (var input in inputs)
            {
                if (Find(input.Id) is not { MergedInto: null, Current.Archived: false } record)
                {
                    continue;
                }

                string After(string name) => input.Properties.TryGetValue(name, out var written)
                    ? written ?? ""
                    : record.Current.Values.TryGetValue(name, out var stored) ? stored.Text : "";
                var broken = rules.Where(rule => After(rule.PropertyName).Length == 0
                    && (rule.WhenProperty is null || string.Equals(After(rule.WhenProperty), rule.WhenValue, StringComparison.Ordinal))).ToList();
                if (broken.Count > 0)
                {
                    violations.Add((input, broken));
                }
            }
        }

        return violations;
    }

    /// <summary>Each value of the input checked against the catalog: the errors, and the normalized values of the valid ones.</summary>
    private (List<PropertyError> Errors, List<(string Name, string Value)> Values) Check(ContactWrite input, bool asIntegration)
    {
        var errors = new List<PropertyError>();
        var normalizedValues = new List<(string Name, string Value)>(input.Properties.Count);
        foreach (var (name, raw) in input.Properties)
        {
            var definition = _catalog.Find(name);
            if (definition is null)
            {
                errors.Add(new PropertyError(name, "PROPERTY_DOESNT_EXIST", $"Property \"{name}\" does not exist"));
            }
            else if (definition.ReadOnlyValue && (asIntegration || SystemManaged.Contains(name) || PropertyCatalog.IsStageDate(name)))
            {
                errors.Add(new PropertyError(name, "READ_ONLY_VALUE", $"\"{name}\" is a read only property; its value cannot be set."));
            }
            else if (!PropertyCatalog.TryNormalize(definition, raw ?? "", out var normalized, out var error))
            {
                errors.Add(new PropertyError(name, definition.Type == "enumeration" ? "INVALID_OPTION" : "INVALID_VALUE", error!));
            }
            else
            {
                normalizedValues.Add((name, normalized));
            }
        }

        return (errors, normalizedValues);
    }

    /// <summary>
    /// Applies writes. Each input is validated as a whole (an invalid value refuses that input only). Values equal to the current ones are
    /// no-ops; for an integration (API) write an earlier <c>lifecyclestage</c> than the current one is silently ignored and read-only values are refused
    /// (stage dates are refused to people too: only the store sets them, from each <c>lifecyclestage</c> change).
    /// </summary>
    internal List<WriteOutcome> Write(IReadOnlyList<ContactWrite> inputs, ChangeOrigin origin, bool asIntegration)
    {
        var outcomes = new List<WriteOutcome>(inputs.Count);
        var changes = new List<ContactChange>();
        var now = _time.GetUtcNow();
        var lifecycle = _catalog.Find("lifecyclestage");
        lock (_lock)
        {
            foreach (var input in inputs)
            {
                var record = Find(input.Id);
                if (record is { MergedInto: not null })
                {
                    outcomes.Add(new WriteOutcome(input, WriteStatus.MergedAway, null, null));
                    continue;
                }

                if (record is null || record.Current.Archived)
                {
                    outcomes.Add(new WriteOutcome(input, WriteStatus.NotFound, null, null));
                    continue;
                }

                var (errors, normalizedValues) = Check(input, asIntegration);
                if (errors.Count > 0)
                {
                    outcomes.Add(new WriteOutcome(input, WriteStatus.Invalid, null, errors));
                    continue;
                }

                Dictionary<string, StoredValue>? values = null;
                foreach (var (name, value) in normalizedValues)
                {
                    var current = record.Current.Values.TryGetValue(name, out var stored) ? stored.Text : "";
                    if (current == value)
                    {
                        continue;
                    }

                    if (asIntegration && lifecycle is not null && name == "lifecyclestage" && value.Length > 0 && current.Length > 0
                        && StageOrder(lifecycle, value) < StageOrder(lifecycle, current))
                    {
                        continue;
                    }

                    values ??= new Dictionary<string, StoredValue>(record.Current.Values, StringComparer.Ordinal);
                    if (value.Length == 0)
                    {
                        values.Remove(name);
                    }
                    else
                    {
                        values[name] = Store(name, value);
                    }

                    Append(record, name, value, now, origin);
                    if (origin.SendWebhooks)
                    {
                        changes.Add(PropertyChange(record.Id, now, origin, name, value));
                    }
                }

                if (values is null)
                {
                    outcomes.Add(new WriteOutcome(input, WriteStatus.Unchanged, View(record, record.Current, [], withDeals: false), null));
                    continue;
                }

                TrackStage(record, values, StageOf(record.Current.Values), StageOf(values), now);
                values["lastmodifieddate"] = Store("lastmodifieddate", PropertyCatalog.FormatDateTime(now));
                record.Current = new ContactState(values, now, Archived: false);
                Publish(record, now);
                outcomes.Add(new WriteOutcome(input, WriteStatus.Changed, View(record, record.Current, [], withDeals: false), null));
            }
        }

        _stats.CountWrites(outcomes.Count(o => o.Status == WriteStatus.Changed), outcomes.Count(o => o.Status == WriteStatus.Unchanged));
        Emit(changes);
        return outcomes;
    }

    /// <summary>A stage's place in the portal's order, as HubSpot shows it: by display order, -1 after every other, ties in list order.</summary>
    private static int StageOrder(SandboxProperty lifecycle, string value)
    {
        var ordered = lifecycle.Options.OrderBy(o => o.DisplayOrder >= 0 ? 0 : 1).ThenBy(o => o.DisplayOrder).ToList();
        return ordered.FindIndex(o => o.Value == value);
    }
}
