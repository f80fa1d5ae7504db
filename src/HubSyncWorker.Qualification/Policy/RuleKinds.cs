namespace HubSyncWorker.Qualification.Policy;

/// <summary>Rule kinds understood by the policy.</summary>
public static class RuleKinds
{
    public const string EqualsKind = "Equals";
    public const string In = "In";
    public const string Contains = "Contains";
    public const string EmailDomain = "EmailDomain";
    public const string Range = "Range";
    public const string HasValue = "HasValue";
    public const string WithinDays = "WithinDays";
    public const string Conversion = "Conversion";
    public const string OtherConversions = "OtherConversions";
    public const string AllOf = "AllOf";

    /// <summary>Every kind, as written in a policy.</summary>
    public static IReadOnlyList<string> All { get; } = [EqualsKind, In, Contains, EmailDomain, Range, HasValue, WithinDays, Conversion, OtherConversions, AllOf];

    internal static string? Normalise(string? kind)
    {
        foreach (var known in All)
        {
            if (string.Equals(known, kind?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }
}
