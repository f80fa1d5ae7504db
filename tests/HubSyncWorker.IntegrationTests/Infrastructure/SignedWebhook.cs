using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>
/// Builds webhook requests signed the way HubSpot documents it, independently of the worker's own code: the one signing helper of
/// the test projects (linked into the load tests, the benchmarks and the sandbox tests).
/// </summary>
internal static class SignedWebhook
{
    /// <summary>The v3 signature: Base64(HMAC-SHA256(secret, method + uri + body + timestamp)), the timestamp in Unix milliseconds.</summary>
    public static string V3Signature(string secret, string method, string uri, string body, string timestamp) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(method + uri + body + timestamp)));

    /// <summary>v3: Base64(HMAC-SHA256(secret, method + uri + body + timestamp)); <paramref name="signedUri"/> is the URI as HubSpot signs it.</summary>
    public static HttpRequestMessage V3(string requestUri, string body, string secret, DateTimeOffset timestamp, string? signedUri = null, string signedMethod = "POST")
    {
        var ts = timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var signature = V3Signature(secret, signedMethod, signedUri ?? requestUri, body, ts);
        var request = Post(requestUri, body);
        request.Headers.Add("X-HubSpot-Signature-v3", signature);
        request.Headers.Add("X-HubSpot-Request-Timestamp", ts);
        return request;
    }

    /// <summary>v1: hex SHA-256 of secret + body. v2: hex SHA-256 of secret + method + uri + body.</summary>
    public static HttpRequestMessage Legacy(string version, string requestUri, string body, string secret)
    {
        var source = version == "v1" ? secret + body : secret + "POST" + requestUri + body;
        var request = Post(requestUri, body);
        request.Headers.Add("X-HubSpot-Signature", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source))));
        request.Headers.Add("X-HubSpot-Signature-Version", version);
        return request;
    }

    public static string PropertyChange(long objectId, string property, string value, long eventId = 1, string sourceId = "userId:42", long occurredAt = 1_767_000_000_000) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"eventId":{{eventId}},"subscriptionId":11,"portalId":62515,"appId":999,"occurredAt":{{occurredAt}},"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":{{objectId}},"changeSource":"CRM_UI","sourceId":"{{sourceId}}","propertyName":"{{property}}","propertyValue":"{{value}}"}""");

    /// <summary>The generic twin of <see cref="PropertyChange"/>: a developer-platform app's crmObjects subscription, about a contact.</summary>
    public static string GenericPropertyChange(long objectId, string property, string value, long eventId = 1, string sourceId = "userId:42", long occurredAt = 1_767_000_000_000, string objectTypeId = "0-1") =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"eventId":{{eventId}},"subscriptionId":12,"portalId":62515,"appId":999,"occurredAt":{{occurredAt}},"subscriptionType":"object.propertyChange","attemptNumber":0,"objectId":{{objectId}},"objectTypeId":"{{objectTypeId}}","changeSource":"CRM_UI","sourceId":"{{sourceId}}","propertyName":"{{property}}","propertyValue":"{{value}}","isSensitive":false}""");

    private static HttpRequestMessage Post(string requestUri, string body) => new(HttpMethod.Post, requestUri)
    {
        Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
    };
}
