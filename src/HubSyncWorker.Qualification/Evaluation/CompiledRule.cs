using System.Globalization;
using System.Text.RegularExpressions;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.Evaluation;

internal enum RuleKind
{
    EqualsValue,
    In,
    Contains,
    EmailDomain,
    Range,
    HasValue,
    WithinDays,
    Conversion,
    OtherConversions,
    AllOf,
}

/// <summary>A validated rule with everything precomputed: matchers, regexes, sets, label parts.</summary>
internal sealed class CompiledRule
{
    private readonly string? _property;
    private readonly string[] _properties;
    private readonly string[] _anyOf;
    private readonly string? _value;
    private readonly StringTable<bool> _values;
    private readonly KeywordMatcher? _keywords;
    private readonly Regex? _pattern;
    private readonly double? _min;
    private readonly double? _max;
    private readonly double _days;
    private readonly bool _negate;
    private readonly int _points;
    private readonly int _pointsPerUnit;
    private readonly int _maxPoints;
    private readonly int _maxOccurrences;

    public CompiledRule(RuleOptions options)
    {
        Id = options.Id!.Trim();
        var label = string.IsNullOrWhiteSpace(options.Label) ? Id : options.Label.Trim();
        var placeholder = label.IndexOf("{value}", StringComparison.OrdinalIgnoreCase);
        if (placeholder >= 0)
        {
            LabelPrefix = label[..placeholder];
            LabelSuffix = label[(placeholder + "{value}".Length)..];
            LabelHasValue = true;
        }
        else
        {
            LabelPrefix = label;
            LabelSuffix = string.Empty;
        }

        Kind = RuleKinds.Normalise(options.Kind) switch
        {
            RuleKinds.EqualsKind => RuleKind.EqualsValue,
            RuleKinds.In => RuleKind.In,
            RuleKinds.Contains => RuleKind.Contains,
            RuleKinds.EmailDomain => RuleKind.EmailDomain,
            RuleKinds.Range => RuleKind.Range,
            RuleKinds.HasValue => RuleKind.HasValue,
            RuleKinds.WithinDays => RuleKind.WithinDays,
            RuleKinds.Conversion => RuleKind.Conversion,
            RuleKinds.OtherConversions => RuleKind.OtherConversions,
            RuleKinds.AllOf => RuleKind.AllOf,
            _ => throw new ArgumentException($"Unknown rule kind '{options.Kind}'.", nameof(options)),
        };

        _property = string.IsNullOrWhiteSpace(options.Property) ? null : options.Property.Trim();
        _properties = Clean(options.Properties);
        if (_properties.Length == 0 && _property is not null && Kind is RuleKind.Range or RuleKind.WithinDays)
        {
            _properties = [_property];
        }

        _anyOf = Clean(options.AnyOfProperties);
        RuleIds = Clean(options.RuleIds);
        _value = options.Value?.Trim();
        _values = new StringTable<bool>(Clean(options.Values).Select(v => KeyValuePair.Create(v, true)), ignoreCase: true);
        Domains = [.. Clean(options.Domains).Select(d => d.TrimStart('@', '.'))];
        if (Kind is RuleKind.Contains or RuleKind.Conversion && options.Keywords is { Count: > 0 })
        {
            _keywords = new KeywordMatcher(options.Keywords);
        }

        if (!string.IsNullOrWhiteSpace(options.Pattern))
        {
            _pattern = new Regex(options.Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        }

        _min = options.Min;
        _max = options.Max;
        _days = options.Days ?? 0;
        _negate = options.Negate;
        _points = options.Points;
        _pointsPerUnit = options.PointsPerUnit;
        _maxPoints = options.MaxPoints ?? int.MaxValue;
        _maxOccurrences = options.MaxOccurrences ?? (Kind == RuleKind.Conversion ? 1 : int.MaxValue);
        FragmentPoints = Cap(_points);
        Fragment = LabelHasValue ? null : string.Create(CultureInfo.InvariantCulture, $"{LabelPrefix} {(FragmentPoints >= 0 ? "+" : string.Empty)}{FragmentPoints}");
        FirstFragment = Fragment is null ? null : " (" + Fragment;
        NextFragment = Fragment is null ? null : ", " + Fragment;
        FirstLabelPrefix = " (" + LabelPrefix;
        NextLabelPrefix = ", " + LabelPrefix;
        LabelSuffixAndSpace = LabelSuffix + " ";
    }

    /// <summary>The reason fragment ("senior title +25") for the usual points, built once; null when the label shows a value.</summary>
    public string? Fragment { get; }

    /// <summary>The points <see cref="Fragment"/> shows.</summary>
    public int FragmentPoints { get; }

    /// <summary><see cref="Fragment"/> opening a score set's list: " (senior title +25".</summary>
    public string? FirstFragment { get; }

    /// <summary><see cref="Fragment"/> after another rule: ", senior title +25".</summary>
    public string? NextFragment { get; }

    /// <summary><see cref="LabelPrefix"/> opening a score set's list.</summary>
    public string FirstLabelPrefix { get; }

    /// <summary><see cref="LabelPrefix"/> after another rule.</summary>
    public string NextLabelPrefix { get; }

    /// <summary><see cref="LabelSuffix"/> and the space before the points.</summary>
    public string LabelSuffixAndSpace { get; }

    public string Id { get; }

    /// <summary>AllOf: ids of the rules that must all have fired.</summary>
    public IReadOnlyList<string> RuleIds { get; }

    /// <summary>AllOf: indexes (in the policy's rule array) of <see cref="RuleIds"/>, set at compile time.</summary>
    public int[] RuleIndexes { get; set; } = [];

    /// <summary>Evaluation pass: 0 for plain rules, 1 for OtherConversions (needs the matched conversions), 2 for AllOf.</summary>
    public int Pass => Kind switch { RuleKind.OtherConversions => 1, RuleKind.AllOf => 2, _ => 0 };

    public RuleKind Kind { get; }

    public string LabelPrefix { get; }

    public string LabelSuffix { get; }

    public bool LabelHasValue { get; }

    private int _slot = -1;
    private int[] _slots = [];
    private int[] _anyOfSlots = [];

    /// <summary>Maps the property names to value slots (compile time).</summary>
    public void ResolveSlots(Func<string, int> slotOf)
    {
        _slot = _property is null ? -1 : slotOf(_property);
        _slots = [.. _properties.Select(slotOf)];
        _anyOfSlots = [.. _anyOf.Select(slotOf)];
        RequiredSlot = Kind switch
        {
            RuleKind.EqualsValue or RuleKind.In or RuleKind.Contains or RuleKind.EmailDomain => _slot,
            RuleKind.Range or RuleKind.WithinDays when _slots.Length == 1 => _slots[0],
            RuleKind.HasValue when _slots.Length > 0 => _slots[0],
            _ => -1,
        };
    }

    /// <summary>
    /// A slot whose value must be present for the rule to fire (-1 when none is required on its own): the policy skips the
    /// rule when that value is missing, as most contacts lack most properties. Text rules need their property; a Range or
    /// WithinDays rule reading one property needs it; a HasValue rule needs each of its properties.
    /// </summary>
    public int RequiredSlot { get; private set; } = -1;

    /// <summary>Every property this rule reads.</summary>
    public IEnumerable<string> ReadProperties
    {
        get
        {
            if (_property is not null)
            {
                yield return _property;
            }

            foreach (var p in _properties)
            {
                yield return p;
            }

            foreach (var p in _anyOf)
            {
                yield return p;
            }
        }
    }

    /// <summary>Conversion and Contains: the keywords (matched by the policy's combined matchers).</summary>
    public IReadOnlyList<string> Keywords => _keywords?.Keywords ?? [];

    /// <summary>EmailDomain: the domains (matched by the policy's combined matcher for the rule's property).</summary>
    public IReadOnlyList<string> Domains { get; }

    /// <summary>Contains and EmailDomain: the slot of the property whose text is matched.</summary>
    public int Slot => _slot;

    /// <summary>Conversion: the compiled pattern, if any.</summary>
    public Regex? Pattern => _pattern;

    /// <summary>Conversion: this rule's bit in the per-name conversion masks (set at compile time).</summary>
    public int ConversionBit { get; set; } = -1;

    /// <summary>Conversion: scores <paramref name="count"/> matching conversions (points each, up to MaxOccurrences).</summary>
    public bool ScoreConversions(int count, out int points, out int value) => Occurrences(count, out points, out value);

    /// <summary>
    /// Evaluates the rule. <paramref name="conversionsMatched"/> is the number of conversion names matched by any Conversion rule of
    /// the same set (OtherConversions only); <paramref name="textMatched"/> whether the property's text matched the rule's keywords
    /// or domains (Contains and EmailDomain: the policy scans each property once for all such rules). Returns whether it fired, its
    /// points and the value shown in a <c>{value}</c> label.
    /// </summary>
    public bool TryScore(ReadOnlySpan<string?> values, int conversionNames, DateTimeOffset now, int conversionsMatched, bool textMatched, out int points, out int value)
    {
        value = 0;
        switch (Kind)
        {
            case RuleKind.EqualsValue:
            case RuleKind.In:
            case RuleKind.Contains:
            case RuleKind.EmailDomain:
                return TryScoreText(values, textMatched, out points);
            case RuleKind.Range:
                return TryScoreRange(values, out points, out value);
            case RuleKind.HasValue:
                return TryScoreHasValue(values, out points);
            case RuleKind.WithinDays:
                return TryScoreWithinDays(values, now, out points, out value);
            case RuleKind.Conversion:
            case RuleKind.AllOf:
                // Decided by the policy, which holds the conversion masks and knows which rules fired.
                points = 0;
                return false;
            default:
            {
                var total = HubSpotValues.TryParseNumber(values[_slot], out var n) ? (int)Math.Clamp(n, 0, int.MaxValue) : 0;
                total = Math.Max(total, conversionNames);
                return Occurrences(total - conversionsMatched, out points, out value);
            }
        }
    }

    /// <summary>Equals, In, Contains, EmailDomain: fires on a non-empty value that matches (or, negated, does not).</summary>
    public bool TryScoreText(ReadOnlySpan<string?> values, bool textMatched, out int points)
    {
        points = 0;
        var text = values[_slot].AsSpan().Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        var match = Kind switch
        {
            RuleKind.EqualsValue => text.Equals(_value, StringComparison.OrdinalIgnoreCase),
            RuleKind.In => _values.ContainsKey(text),
            _ => textMatched,
        };
        if (match == _negate)
        {
            return false;
        }

        points = FragmentPoints;
        return true;
    }

    /// <summary>Range: fires when the sum of the numbers present is within the bounds.</summary>
    public bool TryScoreRange(ReadOnlySpan<string?> values, out int points, out int value)
    {
        points = 0;
        value = 0;
        var any = false;
        double sum = 0;
        foreach (var slot in _slots)
        {
            if (HubSpotValues.TryParseNumber(values[slot], out var number))
            {
                any = true;
                sum += number;
            }
        }

        if (!any || (_min is { } min && sum < min) || (_max is { } max && sum > max))
        {
            return false;
        }

        value = (int)Math.Clamp(Math.Floor(sum), int.MinValue, int.MaxValue);
        var units = _min is { } lower && _pointsPerUnit != 0 ? Math.Min(Math.Floor(sum - lower), 1_000_000) : 0;
        points = Cap((int)Math.Clamp(_points + (_pointsPerUnit * units), int.MinValue, int.MaxValue));
        return true;
    }

    private bool TryScoreHasValue(ReadOnlySpan<string?> values, out int points)
    {
        points = 0;
        foreach (var slot in _slots)
        {
            if (string.IsNullOrWhiteSpace(values[slot]))
            {
                return false;
            }
        }

        if (_anyOfSlots.Length > 0)
        {
            var found = false;
            foreach (var slot in _anyOfSlots)
            {
                if (!string.IsNullOrWhiteSpace(values[slot]))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        points = FragmentPoints;
        return true;
    }

    private bool TryScoreWithinDays(ReadOnlySpan<string?> values, DateTimeOffset now, out int points, out int value)
    {
        points = 0;
        value = 0;
        DateTimeOffset? latest = null;
        foreach (var slot in _slots)
        {
            if (HubSpotValues.ParseDateTime(values[slot]) is { } date && (latest is null || date > latest))
            {
                latest = date;
            }
        }

        if (latest is null || (now - latest.Value).TotalDays > _days)
        {
            return false;
        }

        value = (int)Math.Max(0, Math.Floor((now - latest.Value).TotalDays));
        points = FragmentPoints;
        return true;
    }

    /// <summary>AllOf: fires when every referenced rule fired.</summary>
    public bool TryScoreAllOf(ReadOnlySpan<bool> ruleFired, out int points)
    {
        foreach (var index in RuleIndexes)
        {
            if (!ruleFired[index])
            {
                points = 0;
                return false;
            }
        }

        points = FragmentPoints;
        return true;
    }

    private bool Occurrences(int count, out int points, out int value)
    {
        value = count;
        points = 0;
        if (count <= 0)
        {
            return false;
        }

        var counted = Math.Min(count, _maxOccurrences);
        if (counted == 0)
        {
            return false;
        }

        points = Cap((int)Math.Clamp((long)_points * counted, int.MinValue, int.MaxValue));
        return true;
    }

    private int Cap(int points) => points >= 0 ? Math.Min(points, _maxPoints) : (int)-Math.Min(-(long)points, _maxPoints);

    private static string[] Clean(List<string>? values) =>
        values is null ? [] : values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).ToArray();
}
