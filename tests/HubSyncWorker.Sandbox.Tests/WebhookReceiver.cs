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
            context.Response.StatusCode = receiver.Respond(Interlocked.Increment(ref receiver._calls));
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
