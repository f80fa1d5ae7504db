using System.Text.Json;
using System.Text.Json.Serialization;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.Qualification.Insights;

namespace HubSyncWorker.Insights;

/// <summary>How an insights run read the portal: what it estimated, what it read and the HubSpot calls it made.</summary>
/// <param name="PortalContacts">Contacts in the portal (the search total), or null when it could not be counted.</param>
/// <param name="Listed">Contacts listed (the whole portal, or the sample).</param>
/// <param name="WithRecordedScores">Qualified contacts analysed from the scores the worker recorded when it qualified them.</param>
/// <param name="ReadAtCutoff">Qualified contacts whose inputs were read from their history as they were when qualified.</param>
/// <param name="FromLifecycleHistory">Contacts dated from the lifecycle property's history (no <c>hs_v2_date_entered_*</c> values).</param>
/// <param name="Unreadable">Contacts left out (gone, or their history unreadable, between the listing and the read).</param>
/// <param name="Estimate">The calls estimated before the run.</param>
/// <param name="Calls">The calls made, by kind, against the budget-limited ideal.</param>
internal sealed record InsightsCollection(
    long? PortalContacts, int Listed, int WithRecordedScores, int ReadAtCutoff, int FromLifecycleHistory, int Unreadable,
    InsightsEstimate Estimate, HubSpotCallReport Calls);

/// <summary>An insights run's result: the analysis and how the portal was read. What <c>--json</c> and <c>GET /admin/insights</c> give.</summary>
internal sealed record InsightsOutcome(InsightsReport Report, InsightsCollection Collection)
{
    /// <summary>The JSON form: camelCase names, enums by name, indented.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The outcome a <see cref="ToJson"/> text holds.</summary>
    /// <exception cref="JsonException">It is not one.</exception>
    public static InsightsOutcome FromJson(string json) =>
        JsonSerializer.Deserialize<InsightsOutcome>(json, Json) ?? throw new JsonException("The insights JSON is empty.");
}
