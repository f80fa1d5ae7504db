using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.Insights;

/// <summary>
/// Writes an analysis's suggestions as a policy file the user can review with <c>policy check</c> and try with <c>resync --dry-run</c>.
/// </summary>
public static partial class PolicySuggestion
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The analysed policy with the suggested points (<see cref="InsightsReport.Points"/>) and the MQL thresholds of the
    /// <paramref name="thresholdGoal"/> suggestion applied, labelled as a suggestion: the policy format has no description field, so
    /// the label is a comment at the top (policy files may hold comments), and a comment before each changed value says what it was
    /// and why it changed.
    /// </summary>
    /// <remarks>
    /// The result is the policy document alone: given a settings file, only its <c>Qualification</c> section is written (a settings
    /// file may hold secrets, which have no place in a suggestion). The input's own comments are not kept.
    /// </remarks>
    /// <param name="currentPolicyJson">The analysed policy, as a policy document or a settings file with a <c>Qualification</c> section.</param>
    /// <param name="report">The analysis of that very policy.</param>
    /// <param name="thresholdGoal">Which threshold suggestion to apply: <see cref="ThresholdSuggestion.MqlToSqlRateGoal"/> (default) or <see cref="ThresholdSuggestion.MqlVolumeGoal"/>; thresholds stay as they are when the report has none for that goal.</param>
    /// <returns>The suggested policy as indented JSON with comments; it loads with <see cref="PolicyLoader.FromJson"/> and compiles.</returns>
    /// <exception cref="ArgumentException">The report analysed another policy (its version is not this policy's).</exception>
    /// <exception cref="JsonException">The policy JSON is malformed.</exception>
    /// <exception cref="PolicyValidationException">The policy JSON is not a valid policy.</exception>
    public static string Write(string currentPolicyJson, InsightsReport report, string thresholdGoal = ThresholdSuggestion.MqlToSqlRateGoal)
    {
        ArgumentNullException.ThrowIfNull(currentPolicyJson);
        ArgumentNullException.ThrowIfNull(report);
        var current = QualificationPolicy.Compile(PolicyLoader.FromJson(currentPolicyJson));
        if (current.Version != report.PolicyVersion)
        {
            throw new ArgumentException(
                $"The report analysed policy {report.PolicyVersion}, not this policy ({current.Version}): its suggestions do not apply to it.", nameof(report));
        }

        var root = JsonNode.Parse(currentPolicyJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        var policy = Member(root, QualificationPolicyOptions.SectionName) as JsonObject ?? root;
        var notes = new Dictionary<JsonNode, string>(ReferenceEqualityComparer.Instance);
        var changedRules = ApplyPoints(policy, report.Points, notes);
        var thresholds = report.Thresholds.FirstOrDefault(t => t.Goal == thresholdGoal);
        if (thresholds is not null)
        {
            ApplyThresholds(policy, thresholds, current.Options.Mql, notes);
        }

        // Compiling validates the suggestion as `policy check` would, and gives the version the header names.
        var version = QualificationPolicy.Compile(PolicyLoader.FromJson(Serialise(policy, notes, header: null))).Version;
        return Serialise(policy, notes, Header(report, thresholds, current.Options.Mql, changedRules, version));
    }

    private static int ApplyPoints(JsonObject policy, IReadOnlyList<PointsSuggestion> points, Dictionary<JsonNode, string> notes)
    {
        var changed = 0;
        foreach (var suggestion in points.Where(p => p.SuggestedPoints != p.CurrentPoints))
        {
            var rule = Rules(policy, "Fit").Concat(Rules(policy, "Engagement"))
                .FirstOrDefault(r => Member(r, "Id")?.GetValue<string>() is { } id && id.Equals(suggestion.RuleId, StringComparison.OrdinalIgnoreCase));
            if (rule is null)
            {
                continue;
            }

            var value = Set(rule, "Points", suggestion.SuggestedPoints);
            notes[value] = string.Create(CultureInfo.InvariantCulture, $"suggested (was {suggestion.CurrentPoints}): {suggestion.Why}");
            changed++;
        }

        return changed;
    }

    private static void ApplyThresholds(JsonObject policy, ThresholdSuggestion thresholds, MqlStageOptions current, Dictionary<JsonNode, string> notes)
    {
        if (Member(policy, "Mql") is not JsonObject mql)
        {
            mql = [];
            policy["Mql"] = mql;
        }

        var target = thresholds.Goal == ThresholdSuggestion.MqlVolumeGoal
            ? string.Create(CultureInfo.InvariantCulture, $"{thresholds.Target:0} MQLs")
            : string.Create(CultureInfo.InvariantCulture, $"an MQL→SQL rate of {thresholds.Target:P0}");
        var outcome = string.Create(CultureInfo.InvariantCulture,
            $"{thresholds.Mqls} MQLs, {thresholds.MqlToSql.Rate ?? 0:P1} of them became SQL{(thresholds.TargetReached ? "" : "; the target was not reached, this is the best rate")}");
        if (thresholds.FitThreshold != current.MinFit)
        {
            notes[Set(mql, "MinFit", thresholds.FitThreshold)] = $"suggested (was {current.MinFit}) for {target}: {outcome}";
        }

        if (thresholds.EngagementThreshold != current.MinEngagement)
        {
            notes[Set(mql, "MinEngagement", thresholds.EngagementThreshold)] = $"suggested (was {current.MinEngagement}) for {target}: {outcome}";
        }
    }

    private static string Header(InsightsReport report, ThresholdSuggestion? thresholds, MqlStageOptions current, int changedRules, string version)
    {
        var changes = new List<string>();
        if (thresholds is not null && (thresholds.FitThreshold != current.MinFit || thresholds.EngagementThreshold != current.MinEngagement))
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture,
                $"MQL thresholds fit >= {thresholds.FitThreshold} and engagement >= {thresholds.EngagementThreshold} (were {current.MinFit} and {current.MinEngagement})"));
        }

        if (changedRules > 0)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"the points of {changedRules} rule{(changedRules == 1 ? "" : "s")}"));
        }

        var analysed = report.AnalysedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return $"SUGGESTED POLICY (version {version}), not in use: written by the insights analysis of {analysed} UTC\n"
            + $"over {report.Contacts} contacts under policy {report.PolicyVersion}.\n"
            + $"Changed: {(changes.Count == 0 ? "nothing" : string.Join("; ", changes))}; each change is marked below.\n"
            + "Review it with `policy check`, try it with `resync --dry-run`, and adopt it only if you agree.";
    }

    /// <summary>The policy as indented JSON: <paramref name="header"/> as leading comment lines, each noted value preceded by a line with its note.</summary>
    private static string Serialise(JsonObject policy, Dictionary<JsonNode, string> notes, string? header)
    {
        // The writer puts a comment where it is written, before the comma ending the previous member: it writes a numbered
        // placeholder there, which is then replaced by a line of its own above the member.
        var numbered = new List<string>();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteNode(writer, policy, notes, numbered);
        }

        var json = Placeholder().Replace(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), match =>
        {
            var indent = match.Groups["indent"].Value;
            var note = numbered[int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture)];
            return $"{match.Groups["comma"].Value}\n{indent}// {note}\n{indent}";
        });
        return header is null ? json : $"{string.Concat(header.Split('\n').Select(line => $"// {line}\n"))}{json}";
    }

    [GeneratedRegex(@"\n *\/\*@(?<index>\d+)@\*\/(?<comma>,?)\n(?<indent> *)")]
    private static partial Regex Placeholder();

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node, Dictionary<JsonNode, string> notes, List<string> numbered)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (name, value) in obj)
                {
                    if (value is not null && notes.TryGetValue(value, out var note))
                    {
                        writer.WriteCommentValue(string.Create(CultureInfo.InvariantCulture, $"@{numbered.Count}@"));
                        numbered.Add(note.ReplaceLineEndings(" "));
                    }

                    writer.WritePropertyName(name);
                    WriteNode(writer, value, notes, numbered);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteNode(writer, item, notes, numbered);
                }

                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    private static IEnumerable<JsonObject> Rules(JsonObject policy, string set) =>
        Member(policy, set) is JsonObject scoreSet && Member(scoreSet, "Rules") is JsonArray rules ? rules.OfType<JsonObject>() : [];

    /// <summary>The member named <paramref name="name"/> in any case (policy files are read case-insensitively).</summary>
    private static JsonNode? Member(JsonObject obj, string name) =>
        obj.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Sets a number member, keeping the spelling of an existing one; returns the new value node.</summary>
    private static JsonNode Set(JsonObject obj, string name, int value)
    {
        var key = obj.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Key ?? name;
        JsonNode node = JsonValue.Create(value);
        obj[key] = node;
        return node;
    }
}
