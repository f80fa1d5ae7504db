using System.Text.Json;

namespace HubSyncWorker.Qualification.Insights;

/// <summary>
/// What the worker decided with when it qualified a contact, kept in a hidden HubSpot property (<c>{prefix}scores_at_mql</c>,
/// <c>{prefix}scores_at_sql</c>) so a later analysis reads the scores and rules of that moment, not today's.
/// </summary>
/// <remarks>Stored as one line of JSON: <c>{"fit":70,"engagement":45,"rules":["senior-title","newsletter"],"policy":"3f2a…"}</c>.</remarks>
/// <param name="Fit">Fit score at the transition.</param>
/// <param name="Engagement">Engagement score at the transition.</param>
/// <param name="Rules">Ids of the rules that fired, in policy order.</param>
/// <param name="PolicyVersion">Version of the policy that decided.</param>
public sealed record RecordedScores(int Fit, int Engagement, IReadOnlyList<string> Rules, string PolicyVersion)
{
    /// <summary>The property value for these scores.</summary>
    public string Format()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("fit", Fit);
            json.WriteNumber("engagement", Engagement);
            json.WriteStartArray("rules");
            foreach (var rule in Rules)
            {
                json.WriteStringValue(rule);
            }

            json.WriteEndArray();
            json.WriteString("policy", PolicyVersion);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The scores a property value holds, or null when it is empty or not in this format (someone edited it).</summary>
    public static RecordedScores? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(value);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("fit", out var fit) || fit.ValueKind != JsonValueKind.Number || !fit.TryGetInt32(out var fitScore)
                || !root.TryGetProperty("engagement", out var engagement) || engagement.ValueKind != JsonValueKind.Number || !engagement.TryGetInt32(out var engagementScore)
                || !root.TryGetProperty("rules", out var rules) || rules.ValueKind != JsonValueKind.Array
                || !root.TryGetProperty("policy", out var policy) || policy.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var ids = new List<string>(rules.GetArrayLength());
            foreach (var rule in rules.EnumerateArray())
            {
                if (rule.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                ids.Add(rule.GetString()!);
            }

            return new RecordedScores(fitScore, engagementScore, ids, policy.GetString()!);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The scores of <paramref name="decision"/>: what to record when it qualifies a contact.</summary>
    public static RecordedScores Of(QualificationDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new RecordedScores(decision.FitScore, decision.EngagementScore, [.. decision.FiredRules.Select(r => r.RuleId)], decision.PolicyVersion);
    }

    /// <summary>Equal when every value is, the rules element by element.</summary>
    public bool Equals(RecordedScores? other) =>
        other is not null && Fit == other.Fit && Engagement == other.Engagement && PolicyVersion == other.PolicyVersion && Rules.SequenceEqual(other.Rules);

    public override int GetHashCode() => HashCode.Combine(Fit, Engagement, PolicyVersion, Rules.Count);
}
