using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HubSyncWorker.Sandbox.Tests;

/// <summary>One webhook POST as the receiver saw it, raw.</summary>
internal sealed record ReceivedWebhook(string Method, string Url, byte[] Body, string? Signature, string? Timestamp, string? ContentType)
{
    public JsonArray Events => JsonNode.Parse(Body)!.AsArray();
}

/// <summary>A tiny Kestrel endpoint that records every webhook and answers the status <see cref="Respond"/> chooses.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;
    private readonly Lock _gate = new();
    private int _inFlight;
    private int _maxInFlight;

    private WebhookReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The URL to configure as the webhook target (with a query string, as HubSpot signs it).</summary>
    public string Url { get; }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Chooses the status for call number n (1-based); 204 by default.</summary>
    public Func<int, int> Respond { get; set; } = _ => StatusCodes.Status204NoContent;

    /// <summary>Awaited before answering call number n (1-based), with the request's abort token; answers at once by default.</summary>
    public Func<int, CancellationToken, Task> Hold { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Requests being handled right now.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>The most requests ever handled at once.</summary>
    public int MaxInFlight
    {
        get
        {
            lock (_gate)
            {
                return _maxInFlight;
            }
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hubspot/webhooks", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var request = context.Request;
            receiver!.Received.Enqueue(new ReceivedWebhook(request.Method, $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}",
                body.ToArray(), request.Headers["X-HubSpot-Signature-v3"], request.Headers["X-HubSpot-Request-Timestamp"], request.ContentType));
            var call = Interlocked.Increment(ref receiver._calls);
            lock (receiver._gate)
            {
                receiver._inFlight++;
                receiver._maxInFlight = Math.Max(receiver._maxInFlight, receiver._inFlight);
            }

            try
            {
                await receiver.Hold(call, context.RequestAborted);
                context.Response.StatusCode = receiver.Respond(call);
            }
            finally
            {
                lock (receiver._gate)
                {
                    receiver._inFlight--;
                }
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, $"{address.TrimEnd('/')}/hubspot/webhooks?portal=demo");
        return receiver;
    }

    public IEnumerable<JsonNode> AllEvents => Received.SelectMany(r => r.Events).Select(e => e!);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
