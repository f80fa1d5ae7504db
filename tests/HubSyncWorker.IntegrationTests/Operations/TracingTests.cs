using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;

namespace HubSyncWorker.IntegrationTests.Operations;

/// <summary>One signed webhook delivery, traced from its intake through the Redis queue to the write-back in HubSpot (the sandbox).</summary>
[Collection("redis")]
public sealed class TracingTests(RedisServerFixture redis)
{
    private const string Secret = "tracing-client-secret";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Webhook_SignedDelivery_IntakeQueueReadEvaluateAndWriteSpansInOneTrace(bool redisStore)
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is WorkerTracing.SourceName or "Microsoft.AspNetCore" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var contactId = sandbox.Contacts.AddContact(PortalSeed.Contact(1, DateTimeOffset.UtcNow));
        var settings = SandboxWorkerSettings.For(sandbox, redis.ConnectionString, Secret);
        if (!redisStore)
        {
            settings.Remove("Redis:ConnectionString");
            settings.Remove("Redis:KeyPrefix");
        }

        await using var worker = await WorkerApplication.StartAsync(settings, WorkerFeatures.All);

        var url = new Uri(worker.BaseAddress, "/webhooks/hubspot").ToString();
        var body = "[" + SignedWebhook.PropertyChange(long.Parse(contactId, System.Globalization.CultureInfo.InvariantCulture), "jobtitle", "VP Marketing", eventId: 901) + "]";
        Assert.Equal(HttpStatusCode.OK, (await worker.Client.SendAsync(SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow))).StatusCode);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(sandbox.Contacts.GetContact(contactId)!.Properties.GetValueOrDefault("hubsync_status")),
            s => !string.IsNullOrEmpty(s), TimeSpan.FromSeconds(60), "the contact is written back");

        // Other tests' workers trace in this process too: this one's trace is the one whose batch update reached this sandbox.
        var sandboxPort = new Uri(sandbox.BaseUrl).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var writes = await Eventually.ReturnsAsync(
            () => Task.FromResult(stopped.Where(a => a.OperationName == WorkerTracing.Write
                && stopped.Any(c => c.ParentSpanId == a.SpanId && Convert.ToString(c.GetTagItem("server.port"), System.Globalization.CultureInfo.InvariantCulture) == sandboxPort)).ToList()),
            w => w.Count > 0 && stopped.Any(a => a.OperationName == WorkerTracing.Batch && a.TraceId == w[0].TraceId),
            TimeSpan.FromSeconds(30),
            "the batch that wrote the contact back ends");
        var trace = Assert.Single(writes).TraceId;
        var spans = stopped.Where(a => a.TraceId == trace).ToList();

        var intake = Assert.Single(spans, a => a.OperationName == WorkerTracing.Intake);
        var queue = Assert.Single(spans, a => a.OperationName == WorkerTracing.Queue);
        var batch = Assert.Single(spans, a => a.OperationName == WorkerTracing.Batch);
        var read = Assert.Single(spans, a => a.OperationName == WorkerTracing.Read);
        var evaluate = Assert.Single(spans, a => a.OperationName == WorkerTracing.Evaluate);
        var write = Assert.Single(spans, a => a.OperationName == WorkerTracing.Write);

        Assert.Equal(ActivityKind.Server, spans.Single(a => a.SpanId == intake.ParentSpanId).Kind);
        Assert.Equal(intake.SpanId, queue.ParentSpanId);
        Assert.Equal(queue.SpanId, batch.ParentSpanId);
        Assert.All([read, evaluate, write], span => Assert.Equal(batch.SpanId, span.ParentSpanId));
        Assert.True(queue.StartTimeUtc <= batch.StartTimeUtc && queue.Duration >= TimeSpan.Zero);
        Assert.Equal(1, write.GetTagItem(WorkerTracing.CountTag));

        // The HubSpot calls are children of the read and of the write.
        Assert.Contains(spans, a => a.Kind == ActivityKind.Client && a.ParentSpanId == read.SpanId && a.Source.Name == "System.Net.Http");
        Assert.Contains(spans, a => a.Kind == ActivityKind.Client && a.ParentSpanId == write.SpanId && a.Source.Name == "System.Net.Http");
    }
}
