using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HubSyncWorker.Sandbox.Tests;

/// <summary>A started sandbox and an authenticated HttpClient pointed at it.</summary>
internal sealed class SandboxSession : IAsyncDisposable
{
    private SandboxSession(HubSpotSandbox sandbox)
    {
        Sandbox = sandbox;
        Client = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sandbox.AccessToken);
    }

    public HubSpotSandbox Sandbox { get; }

    public HttpClient Client { get; }

    public static async Task<SandboxSession> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { EnforceRateLimits = false };
        configure?.Invoke(options);
        return new SandboxSession(await HubSpotSandbox.StartAsync(options, CancellationToken.None));
    }

    public async Task<ApiResult> GetAsync(string path) => await ApiResult.ReadAsync(await Client.GetAsync(new Uri(path, UriKind.Relative)));

    public async Task<ApiResult> SendAsync(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        return await ApiResult.ReadAsync(await Client.SendAsync(request));
    }

    public Task<ApiResult> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body));

    public Task<ApiResult> SearchAsync(object body) => PostAsync("/crm/v3/objects/contacts/search", body);

    public Task<ApiResult> BatchUpdateAsync(params object[] inputs) => PostAsync("/crm/v3/objects/contacts/batch/update", new { inputs });

    /// <summary>A batch update on the objects path of <paramref name="version"/> (<c>v3</c>, <c>2026-03</c>, <c>2026-09</c>).</summary>
    public Task<ApiResult> BatchUpdateAsync(string version, params object[] inputs) => PostAsync(ObjectsPath(version) + "/batch/update", new { inputs });

    /// <summary><c>/crm/v3/objects/contacts</c> or <c>/crm/objects/{version}/contacts</c>.</summary>
    public static string ObjectsPath(string version) => version == "v3" ? "/crm/v3/objects/contacts" : $"/crm/objects/{version}/contacts";

    /// <summary><c>/crm/v3/properties/contacts</c> or <c>/crm/properties/{version}/contacts</c>.</summary>
    public static string PropertiesPath(string version) => version == "v3" ? "/crm/v3/properties/contacts" : $"/crm/properties/{version}/contacts";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Sandbox.DisposeAsync();
    }
}

/// <summary>A response: status, headers and the parsed JSON body.</summary>
internal sealed record ApiResult(HttpStatusCode Status, HttpResponseHeaders Headers, JsonNode? Body)
{
    public static async Task<ApiResult> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            return new ApiResult(response.StatusCode, response.Headers, text.Length == 0 ? null : JsonNode.Parse(text));
        }
    }

    public JsonNode Json => Body ?? throw new InvalidOperationException("The response had no body.");

    public JsonArray Results => Json["results"]!.AsArray();

    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? values.Single() : null;
}
