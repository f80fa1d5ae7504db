using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Evaluation;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Cli;

/// <summary>The JSON the policy verbs print, written by hand with <see cref="Utf8JsonWriter"/> (stable member order, no reflection).</summary>
internal static class EvaluationOutput
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    /// <summary>The policy as a policy file holds it (indented; without <c>PolicyFile</c>, which only says where one came from): save it, edit it, point <c>Qualification:PolicyFile</c> at it.</summary>
    public static string PolicyDocument(QualificationPolicy policy)
    {
        var document = System.Text.Json.Nodes.JsonNode.Parse(PolicyLoader.ToJson(policy.Options))!.AsObject();
        document.Remove(nameof(QualificationPolicyOptions.PolicyFile));
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>One JSON line: the decision and the changes a write-back would make.</summary>
    public static string DecisionLine(QualificationDecision decision, WriteBackPlan plan)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            writer.WriteStartObject();
            writer.WriteString("id", decision.ContactId);
            writer.WriteString("status", decision.Status.ToPropertyValue());
            writer.WriteString("stage", decision.TargetLifecycleStage);
            writer.WriteBoolean("regression", decision.RegressionRequired);
            writer.WriteString("leadStatus", decision.LeadStatusToSet);
            writer.WriteNumber("fitScore", decision.FitScore);
            writer.WriteNumber("engagementScore", decision.EngagementScore);
            writer.WriteNumber("score", decision.Score);
            writer.WriteString("sourceBucket", decision.SourceBucket);
            writer.WriteString("mqlDate", decision.MqlDate is { } mql ? HubSpotValues.FormatDate(mql) : null);
            writer.WriteString("belowThresholdSince", decision.BelowThresholdSince is { } below ? HubSpotValues.FormatDate(below) : null);
            writer.WriteString("reason", decision.Reason);
            writer.WriteStartArray("rules");
            foreach (var rule in decision.FiredRules)
            {
                writer.WriteStartObject();
                writer.WriteString("id", rule.RuleId);
                writer.WriteNumber("points", rule.Points);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("changes");
            foreach (var (name, value) in plan.Changes.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteBoolean("clearLifecycleStageFirst", plan.ClearLifecycleStageFirst);
            writer.WriteString("policyVersion", decision.PolicyVersion);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
