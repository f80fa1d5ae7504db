using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HubSyncWorker.IntegrationTests.Operations;

/// <summary>The optional OTLP export, received by a small OTLP/HTTP collector on real Kestrel (protobuf bodies, not decoded).</summary>
public sealed class OtlpExportTests
{
    [Theory]
    [InlineData("Diagnostics:Otlp:Endpoint")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    public async Task Worker_OtlpEndpointSet_ExportsTracesAndMetricsOverHttpProtobuf(string key)
    {
        await using var collector = await OtlpCollector.StartAsync();
        var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null, extra:
        [
            $"--{key}={collector.BaseAddress}",
            "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
        ]);
        try
        {
            var body = $$"""[{"eventId":{{Random.Shared.NextInt64(1, long.MaxValue)}},"subscriptionId":7,"portalId":62515,"appId":555,"occurredAt":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":90210,"propertyName":"email","propertyValue":"a@example.com","changeSource":"CRM_UI"}]""";
            Assert.Equal(HttpStatusCode.OK, (await worker.PostSignedWebhookAsync(body)).StatusCode);
        }
        finally
        {
            // Stopping flushes both pipelines: no wait for the export intervals.
            await worker.DisposeAsync();
        }

        var traces = collector.Received("/v1/traces");
        Assert.NotEmpty(traces);
        Assert.All(traces, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.Contains(traces, r => r.Contains("hubsync.webhook.intake") && r.Contains("hubsync-worker"));
        var metrics = collector.Received("/v1/metrics");
        Assert.NotEmpty(metrics);
        Assert.Contains(metrics, r => r.Contains("hubsync.webhook.requests"));
    }

    [Fact]
    public async Task Worker_NoOtlpSetting_ExportsNothing()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var worker = await WorkerUnderTest.StartAsync(redisConnectionString: null);
        await worker.DisposeAsync();

        Assert.Empty(collector.Received("/v1/traces"));
        Assert.Empty(collector.Received("/v1/metrics"));
    }

    /// <summary>One export request as the collector received it.</summary>
    private sealed record OtlpRequest(string Path, string? ContentType, byte[] Body)
    {
        /// <summary>Protobuf keeps strings as UTF-8 bytes: a name is found without decoding the message.</summary>
        public bool Contains(string text) => Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
    }

    /// <summary>Answers OTLP/HTTP exports with 200 and keeps them.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<OtlpRequest> _requests;

        private OtlpCollector(WebApplication app, ConcurrentQueue<OtlpRequest> requests, string baseAddress)
        {
            _app = app;
            _requests = requests;
            BaseAddress = baseAddress;
        }

        public string BaseAddress { get; }

        public static async Task<OtlpCollector> StartAsync()
        {
            var requests = new ConcurrentQueue<OtlpRequest>();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                requests.Enqueue(new OtlpRequest(context.Request.Path, context.Request.ContentType, body.ToArray()));
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            return new OtlpCollector(app, requests, app.Urls.First());
        }

        public List<OtlpRequest> Received(string path) => [.. _requests.Where(r => r.Path == path)];

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
