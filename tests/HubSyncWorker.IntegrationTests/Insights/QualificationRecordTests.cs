using System.Globalization;
using System.Net;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Qualification.Insights;
using HubSyncWorker.Sandbox;

namespace HubSyncWorker.IntegrationTests.Insights;

/// <summary>
/// What the worker records in HubSpot when it qualifies a contact (the insights analysis reads it later, free of hindsight), through the
/// whole path: a signed webhook, the Redis queue, the evaluation and the write-back to the strict sandbox.
/// </summary>
[Collection("redis")]
public sealed class QualificationRecordTests(RedisServerFixture redis)
{
    private const string Secret = "record-client-secret";

    [Fact]
    public async Task Webhook_HandRaiserTheWorkerQualifies_RecordsItsScoresAtMqlAndSql_ButNothingForAContactHubSpotAlreadyShowedAsMql()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var handRaiser = sandbox.Contacts.AddContact(Icp("claire@acme.example", "lead"));
        var alreadyMql = sandbox.Contacts.AddContact(Icp("marc@acme.example", "marketingqualifiedlead"));
        await using var worker = await WorkerApplication.StartAsync(SandboxWorkerSettings.For(sandbox, redis.ConnectionString, Secret), WorkerFeatures.All);
        var url = new Uri(worker.BaseAddress, "/webhooks/hubspot").ToString();
        var body = "[" + SignedWebhook.PropertyChange(Id(handRaiser), "recent_conversion_event_name", "Request a demo", eventId: 801)
            + "," + SignedWebhook.PropertyChange(Id(alreadyMql), "recent_conversion_event_name", "Request a demo", eventId: 802) + "]";

        Assert.Equal(HttpStatusCode.OK, (await worker.Client.SendAsync(SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow))).StatusCode);

        await Eventually.ReturnsAsync(
            () => Task.FromResult((Value(sandbox, handRaiser, "hubsync_status"), Value(sandbox, alreadyMql, "hubsync_status"))),
            s => s is ("sql", "sql"),
            TimeSpan.FromSeconds(30),
            "both contacts are written back as SQLs");
        var atMql = RecordedScores.Parse(Value(sandbox, handRaiser, "hubsync_scores_at_mql"));
        Assert.NotNull(atMql);
        Assert.Equal(int.Parse(Value(sandbox, handRaiser, "hubsync_fit_score")!, CultureInfo.InvariantCulture), atMql.Fit);
        Assert.Contains("senior-title", atMql.Rules);
        Assert.Equal(Value(sandbox, handRaiser, "hubsync_policy_version"), atMql.PolicyVersion);
        Assert.Equal(atMql, RecordedScores.Parse(Value(sandbox, handRaiser, "hubsync_scores_at_sql")));

        // Marketing made this one an MQL before the worker saw it: its MQL moment is unknown, its SQL moment is the worker's.
        Assert.Null(Value(sandbox, alreadyMql, "hubsync_scores_at_mql"));
        Assert.NotNull(RecordedScores.Parse(Value(sandbox, alreadyMql, "hubsync_scores_at_sql")));
    }

    private static Dictionary<string, string?> Icp(string email, string stage) => new()
    {
        ["email"] = email,
        ["firstname"] = "Claire",
        ["lastname"] = "Martin",
        ["company"] = "Acme",
        ["jobtitle"] = "VP Marketing",
        ["industry"] = "COMPUTER_SOFTWARE",
        ["numemployees"] = "200",
        ["country"] = "France",
        ["lifecyclestage"] = stage,
        ["num_conversion_events"] = "1",
        ["recent_conversion_event_name"] = "Request a demo",
        ["first_conversion_event_name"] = "Request a demo",
    };

    private static long Id(string id) => long.Parse(id, CultureInfo.InvariantCulture);

    private static string? Value(HubSpotSandbox sandbox, string id, string property) =>
        sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault(property) is { Length: > 0 } value ? value : null;
}
