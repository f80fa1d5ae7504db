using System.Security.Cryptography;
using System.Text;
using HubSyncWorker.HubSpot.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.HubSpot.UnitTests.Webhooks;

public sealed class WebhookSignatureVerifierTests
{
    private const string Secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";

    // HubSpot's documented v1 example (developers.hubspot.com, "v1 request validation").
    private const string DocumentedV1Body =
        """[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]""";

    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_767_000_000_000);
    private static readonly SignaturePolicy V3Only = new(AcceptV1: false, AcceptV2: false, MaxTimestampAge: TimeSpan.FromMinutes(5));
    private static readonly SignaturePolicy AllVersions = V3Only with { AcceptV1 = true, AcceptV2 = true };

    private readonly WebhookSignatureVerifier _verifier = new(new FakeTimeProvider(Now));

    [Fact]
    public void Verify_DocumentedV1Example_IsValid()
    {
        var request = new SignedWebhookRequest("POST", "https://example.com/hook", Encoding.UTF8.GetBytes(DocumentedV1Body), null, null,
            "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de", "v1");

        Assert.Equal(SignatureVerificationResult.Valid, _verifier.Verify(request, Secret, AllVersions));
    }

    [Fact]
    public void Verify_DocumentedV2GetExample_IsValid()
    {
        var request = new SignedWebhookRequest("GET", "https://www.example.com/webhook_uri", ReadOnlyMemory<byte>.Empty, null, null,
            "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e", "v2");

        Assert.Equal(SignatureVerificationResult.Valid, _verifier.Verify(request, Secret, AllVersions));
    }

    [Fact]
    public void Verify_V1WhenNotAccepted_IsRejectedEvenIfCorrect()
    {
        var request = new SignedWebhookRequest("POST", "https://example.com/hook", Encoding.UTF8.GetBytes(DocumentedV1Body), null, null,
            "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de", "v1");

        Assert.Equal(SignatureVerificationResult.VersionNotAccepted, _verifier.Verify(request, Secret, V3Only));
    }

    [Fact]
    public void Verify_V2WithTamperedUri_IsInvalid()
    {
        var request = new SignedWebhookRequest("GET", "https://www.example.com/webhook_uri2", ReadOnlyMemory<byte>.Empty, null, null,
            "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e", "v2");

        Assert.Equal(SignatureVerificationResult.InvalidSignature, _verifier.Verify(request, Secret, AllVersions));
    }

    [Theory]
    [InlineData("https://hooks.example.com/webhooks/hubspot", "https://hooks.example.com/webhooks/hubspot")]
    [InlineData("https://hooks.example.com/webhooks/hubspot?portal=62515&env=prod", "https://hooks.example.com/webhooks/hubspot?portal=62515&env=prod")]
    [InlineData("https://hooks.example.com/hub%3Aspot?redirect=https%3A%2F%2Fa.example%2Fx%3Fy%3D1", "https://hooks.example.com/hub:spot?redirect=https://a.example/x?y%3D1")]
    [InlineData("https://hooks.example.com/a%40b%21%24%27%28%29%2A%2C%3B", "https://hooks.example.com/a@b!$'()*,;")]
    [InlineData("https://hooks.example.com/space%20stays%23and%26too", "https://hooks.example.com/space%20stays%23and%26too")]
    public void Verify_V3SignedByTheDocumentedAlgorithm_IsValid(string requestUri, string uriHubSpotSigns)
    {
        var body = Encoding.UTF8.GetBytes("""[{"eventId":7,"objectId":42,"subscriptionType":"contact.propertyChange","propertyName":"jobtitle","propertyValue":"CTO"}]""");
        var timestamp = Now.AddSeconds(-30).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = SignV3Independently("POST", uriHubSpotSigns, body, timestamp);

        var request = new SignedWebhookRequest("POST", requestUri, body, signature, timestamp, null, null);

        Assert.Equal(SignatureVerificationResult.Valid, _verifier.Verify(request, Secret, V3Only));
    }

    public static TheoryData<string, Func<SignedWebhookRequest, SignedWebhookRequest>> TamperedParts => new()
    {
        { "body", r => r with { Body = Encoding.UTF8.GetBytes("""[{"eventId":7,"objectId":43}]""") } },
        { "url", r => r with { Uri = "https://hooks.example.com/webhooks/hubspot?portal=1" } },
        { "query order", r => r with { Uri = "https://hooks.example.com/webhooks/hubspot?b=2&a=1" } },
        { "method", r => r with { Method = "PUT" } },
        { "timestamp", r => r with { Timestamp = (long.Parse(r.Timestamp!, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) } },
        { "signature", r => r with { SignatureV3 = Convert.ToBase64String(new byte[32]) } },
        { "signature not base64", r => r with { SignatureV3 = "not base64!" } },
        { "signature truncated", r => r with { SignatureV3 = r.SignatureV3![..20] } },
    };

    [Theory]
    [MemberData(nameof(TamperedParts))]
    public void Verify_V3WithTamperedPart_IsInvalid(string part, Func<SignedWebhookRequest, SignedWebhookRequest> tamper)
    {
        var original = SignedV3Request();
        Assert.Equal(SignatureVerificationResult.Valid, _verifier.Verify(original, Secret, V3Only));

        Assert.True(SignatureVerificationResult.InvalidSignature == _verifier.Verify(tamper(original), Secret, V3Only), $"tampered {part} was accepted");
    }

    [Fact]
    public void Verify_V3WithOtherSecret_IsInvalid()
    {
        Assert.Equal(SignatureVerificationResult.InvalidSignature, _verifier.Verify(SignedV3Request(), "another-secret", V3Only));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(-3600)]
    [InlineData(301)]
    public void Verify_V3TimestampOutsideFiveMinutes_IsStale(int offsetSeconds)
    {
        var request = SignedV3Request(Now.AddSeconds(offsetSeconds));

        Assert.Equal(SignatureVerificationResult.StaleTimestamp, _verifier.Verify(request, Secret, V3Only));
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(0)]
    [InlineData(299)]
    public void Verify_V3TimestampWithinFiveMinutes_IsValid(int offsetSeconds)
    {
        var request = SignedV3Request(Now.AddSeconds(offsetSeconds));

        Assert.Equal(SignatureVerificationResult.Valid, _verifier.Verify(request, Secret, V3Only));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("-1")]
    public void Verify_V3WithoutUsableTimestamp_IsRejected(string? timestamp)
    {
        var request = SignedV3Request() with { Timestamp = timestamp };

        Assert.Equal(SignatureVerificationResult.MissingTimestamp, _verifier.Verify(request, Secret, V3Only));
    }

    [Fact]
    public void Verify_NoSignatureHeaders_IsMissing()
    {
        var request = new SignedWebhookRequest("POST", "https://hooks.example.com/webhooks/hubspot", new byte[] { 0x5b, 0x5d }, null, null, null, null);

        Assert.Equal(SignatureVerificationResult.MissingSignature, _verifier.Verify(request, Secret, AllVersions));
    }

    [Fact]
    public void ComputeV3_MatchesTheDocumentedAlgorithm()
    {
        var body = Encoding.UTF8.GetBytes("[]");
        const string uri = "https://hooks.example.com/webhooks/hubspot?x=1";

        Assert.Equal(SignV3Independently("POST", uri, body, "1767000000000"), WebhookSignatureVerifier.ComputeV3(Secret, "POST", uri, body, "1767000000000"));
    }

    [Theory]
    [InlineData(new[] { Secret }, SignatureVerificationResult.Valid)]
    [InlineData(new[] { "the-new-secret", Secret }, SignatureVerificationResult.Valid)]
    [InlineData(new[] { Secret, "the-new-secret" }, SignatureVerificationResult.Valid)]
    [InlineData(new[] { "the-new-secret", "another-one" }, SignatureVerificationResult.InvalidSignature)]
    public void Verify_SeveralSecrets_IsValidWhenAnyOfThemSigned(string[] secrets, SignatureVerificationResult expected)
    {
        Assert.Equal(expected, _verifier.Verify(SignedV3Request(), secrets, V3Only));
    }

    [Fact]
    public void Verify_SeveralSecretsAlternatingOnOneThread_EachStillVerifies()
    {
        // A thread keeps a keyed HMAC per secret: switching between them must never mix their keys.
        var request = SignedV3Request();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(SignatureVerificationResult.Valid, _verifier.Verify(request, ["s-" + i, Secret], V3Only));
            Assert.Equal(SignatureVerificationResult.InvalidSignature, _verifier.Verify(request, ["s-" + i], V3Only));
        }
    }

    [Theory]
    [InlineData(null, null, null, SignatureVerificationResult.MissingSignature)]
    [InlineData("c2ln", null, null, SignatureVerificationResult.MissingTimestamp)]
    [InlineData("c2ln", "soon", null, SignatureVerificationResult.MissingTimestamp)]
    [InlineData("c2ln", "1766999000000", null, SignatureVerificationResult.StaleTimestamp)]
    [InlineData("c2ln", "1767000001000", null, SignatureVerificationResult.Valid)]
    [InlineData(null, null, "v1", SignatureVerificationResult.VersionNotAccepted)]
    public void CheckHeaders_WithoutTheBody_DecidesWhatTheHeadersAloneCan(string? signatureV3, string? timestamp, string? legacyVersion, SignatureVerificationResult expected)
    {
        var request = new SignedWebhookRequest("POST", "", ReadOnlyMemory<byte>.Empty, signatureV3, timestamp, legacyVersion is null ? null : "abc", legacyVersion);

        Assert.Equal(expected, _verifier.CheckHeaders(request, V3Only));
    }

    [Fact]
    public void FindSignedUri_SignedForTheOtherScheme_NamesThatUrl()
    {
        var signed = SignedV3Request();
        var asSeen = signed with { Uri = signed.Uri.Replace("https://", "http://", StringComparison.Ordinal) };
        Assert.Equal(SignatureVerificationResult.InvalidSignature, _verifier.Verify(asSeen, [Secret], V3Only));

        var found = WebhookSignatureVerifier.FindSignedUri(asSeen, ["other", Secret], ["https://elsewhere.example.com/x", signed.Uri]);

        Assert.Equal(signed.Uri, found);
    }

    [Fact]
    public void FindSignedUri_WrongSecret_FindsNothing()
    {
        var signed = SignedV3Request();

        Assert.Null(WebhookSignatureVerifier.FindSignedUri(signed with { Uri = "http://x/" }, ["not-the-secret"], [signed.Uri]));
    }

    private static SignedWebhookRequest SignedV3Request(DateTimeOffset? at = null)
    {
        const string uri = "https://hooks.example.com/webhooks/hubspot?a=1&b=2";
        var body = Encoding.UTF8.GetBytes("""[{"eventId":7,"objectId":42}]""");
        var timestamp = (at ?? Now).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new SignedWebhookRequest("POST", uri, body, SignV3Independently("POST", uri, body, timestamp), timestamp, null, null);
    }

    // Written straight from HubSpot's description, independently of the code under test:
    // Base64(HMAC-SHA256(clientSecret, UTF-8(method + uri + body + timestamp))).
    private static string SignV3Independently(string method, string uri, byte[] body, string timestamp)
    {
        var message = method + uri + Encoding.UTF8.GetString(body) + timestamp;
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(message)));
    }
}
