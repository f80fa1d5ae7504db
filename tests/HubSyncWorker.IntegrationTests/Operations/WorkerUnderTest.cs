using HubSyncWorker.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace HubSyncWorker.IntegrationTests.Operations;

/// <summary>
/// The worker as <c>run</c> starts it (same composition, same start-up validation), on real Kestrel at a free loopback port,
/// with HubSpot played by WireMock. No incremental sync, no property bootstrap, no queue consumer: what a test sees on the
/// HTTP surface comes from the request it made.
/// </summary>
internal sealed class WorkerUnderTest : IAsyncDisposable
{
    public const string ClientSecret = "operations-test-client-secret";
    public const string AdminToken = "operations-test-admin-token-0123456789";
    public const string TokenProbePath = "/crm/properties/2026-03/contacts/lifecyclestage";

    private readonly WebApplication _app;

    private WorkerUnderTest(WebApplication app, WireMockServer hubSpot, HttpClient client)
    {
        _app = app;
        HubSpot = hubSpot;
        Client = client;
    }

    public WireMockServer HubSpot { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a worker. <paramref name="redisConnectionString"/> null selects the embedded store; <paramref name="tokenStatus"/> is
    /// what the HubSpot stand-in answers to the token check.
    /// </summary>
    public static async Task<WorkerUnderTest> StartAsync(string? redisConnectionString, int tokenStatus = 200, bool admin = true, params string[] extra)
    {
        var hubSpot = WireMockServer.Start();
        hubSpot.Given(Request.Create().WithPath(TokenProbePath).UsingGet())
            .RespondWith(tokenStatus == 200
                ? Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                    .WithBody("""{"name":"lifecyclestage","label":"Lifecycle Stage","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":[]}""")
                : Response.Create().WithStatusCode(tokenStatus).WithHeader("Content-Type", "application/json")
                    .WithBody("""{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}"""));

        var port = Loopback.FreePort();
        List<string> arguments =
        [
            $"--urls=http://127.0.0.1:{port}",
            "--HubSpot:AccessToken=pat-operations-test-token",
            $"--HubSpot:BaseUrl={hubSpot.Url}",
            "--HubSpot:AllowCustomBaseUrl=true",
            $"--Webhooks:ClientSecret={ClientSecret}",
            "--Sync:IncrementalEnabled=false",
            "--Sync:BootstrapProperties=false",
            "--Sync:QueueConsumerEnabled=false",
            "--Logging:LogLevel:Default=Warning",
        ];
        if (redisConnectionString is not null)
        {
            arguments.Add($"--Redis:ConnectionString={redisConnectionString}");
            arguments.Add($"--Redis:KeyPrefix={Infrastructure.RedisServerFixture.NewKeyPrefix()}");
        }

        if (admin)
        {
            arguments.Add($"--Admin:Token={AdminToken}");
        }

        arguments.AddRange(extra);

        var app = WorkerHost.CreateBuilder(WorkerHostMode.Web, new WorkerHostSettings { Args = [.. arguments] }).BuildWeb();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        return new WorkerUnderTest(app, hubSpot, client);
    }

    /// <summary>A request to the admin API with the admin token (<paramref name="path"/>: the resync endpoint by default).</summary>
    public static HttpRequestMessage AdminRequest(HttpMethod method, string path = "/admin/resync")
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return request;
    }

    /// <summary>The body of <c>GET /admin/resync</c> (asserted 200).</summary>
    public async Task<System.Text.Json.JsonElement> GetResyncStatusAsync()
    {
        var response = await Client.SendAsync(AdminRequest(HttpMethod.Get));
        Xunit.Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    /// <summary>The status's <c>lastRun</c>, or null before any run ended.</summary>
    public static System.Text.Json.JsonElement? LastRun(System.Text.Json.JsonElement status) =>
        status.GetProperty("lastRun") is { ValueKind: System.Text.Json.JsonValueKind.Object } run ? run : null;

    /// <summary>Posts a HubSpot v3-signed webhook delivery (<see cref="SignedWebhook"/>: HubSpot's documented recipe, not the worker's code).</summary>
    public Task<HttpResponseMessage> PostSignedWebhookAsync(string body)
    {
        var uri = new Uri(Client.BaseAddress!, "/webhooks/hubspot").ToString();
        return Client.SendAsync(SignedWebhook.V3(uri, body, ClientSecret, DateTimeOffset.UtcNow));
    }

    /// <summary>
    /// The value of one Prometheus sample, written as Prometheus renders it (<c>name{a="1",b="2"}</c>), or null when absent. The
    /// labels are compared as a set: their order in the exposition carries no meaning (OpenTelemetry sorts them by name).
    /// </summary>
    public async Task<double?> ScrapeAsync(string sample)
    {
        var wanted = Series(sample);
        var text = await Client.GetStringAsync("/metrics");
        foreach (var line in text.Split('\n'))
        {
            var space = line.LastIndexOf(' ');
            if (space > 0 && !line.StartsWith('#') && Series(line[..space]) == wanted)
            {
                return double.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>A series' name and its labels sorted (label values here hold no commas).</summary>
    private static string Series(string series)
    {
        var brace = series.IndexOf('{', StringComparison.Ordinal);
        return brace < 0 ? series : series[..brace] + "{" + string.Join(',', series[(brace + 1)..^1].Split(',').Order(StringComparer.Ordinal)) + "}";
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        HubSpot.Stop();
        HubSpot.Dispose();
    }
}
