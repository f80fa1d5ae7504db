using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HubSyncWorker.HubSpot.Webhooks;

/// <summary>The outcome of checking a webhook request's signature.</summary>
public enum SignatureVerificationResult
{
    /// <summary>The signature matches the request and the client secret.</summary>
    Valid,

    /// <summary>No signature header the configuration accepts was present.</summary>
    MissingSignature,

    /// <summary>The request carries a signature version the configuration does not accept (v1/v2 are off by default).</summary>
    VersionNotAccepted,

    /// <summary>The v3 timestamp header is missing or not a number.</summary>
    MissingTimestamp,

    /// <summary>The v3 timestamp is more than the allowed age away from now (a replay, or a badly skewed clock).</summary>
    StaleTimestamp,

    /// <summary>The signature does not match.</summary>
    InvalidSignature,
}

/// <summary>The parts of an incoming webhook request that HubSpot signs, taken raw from the wire.</summary>
/// <param name="Method">The HTTP method, as sent (<c>POST</c>).</param>
/// <param name="Uri">The full URL HubSpot called (<c>https://host/path?query</c>), rebuilt from configuration behind a proxy.</param>
/// <param name="Body">The raw body bytes (never a re-serialised body).</param>
/// <param name="SignatureV3">The <c>X-HubSpot-Signature-v3</c> header.</param>
/// <param name="Timestamp">The raw <c>X-HubSpot-Request-Timestamp</c> header (epoch milliseconds).</param>
/// <param name="Signature">The <c>X-HubSpot-Signature</c> header (v1 and v2).</param>
/// <param name="SignatureVersion">The <c>X-HubSpot-Signature-Version</c> header (<c>v1</c> or <c>v2</c>).</param>
public readonly record struct SignedWebhookRequest(
    string Method,
    string Uri,
    ReadOnlyMemory<byte> Body,
    string? SignatureV3,
    string? Timestamp,
    string? Signature,
    string? SignatureVersion);

/// <summary>Which signature versions are accepted, and how old a v3 timestamp may be.</summary>
/// <param name="AcceptV1">Accept v1 signatures (SHA-256 of secret + body; no replay protection).</param>
/// <param name="AcceptV2">Accept v2 signatures (SHA-256 of secret + method + URI + body; no replay protection).</param>
/// <param name="MaxTimestampAge">The largest accepted distance between the v3 timestamp and now (HubSpot: 5 minutes).</param>
public readonly record struct SignaturePolicy(bool AcceptV1, bool AcceptV2, TimeSpan MaxTimestampAge);

/// <summary>
/// Verifies HubSpot webhook signatures exactly as HubSpot computes them (v3 by default; v1 and v2 when enabled).
/// Comparisons are constant-time; nothing of the secret or the signature leaves this class.
/// </summary>
public sealed class WebhookSignatureVerifier(TimeProvider timeProvider)
{
    // HubSpot decodes exactly these percent-escapes before signing (v3); every other escape stays as sent.
    private static readonly (string Escape, char Character)[] DecodedEscapes =
    [
        ("%3A", ':'), ("%2F", '/'), ("%3F", '?'), ("%40", '@'), ("%21", '!'), ("%24", '$'),
        ("%27", '\''), ("%28", '('), ("%29", ')'), ("%2A", '*'), ("%2C", ','), ("%3B", ';'),
    ];

    /// <summary>Checks <paramref name="request"/> against <paramref name="clientSecret"/> under <paramref name="policy"/>.</summary>
    public SignatureVerificationResult Verify(in SignedWebhookRequest request, string clientSecret, SignaturePolicy policy)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);

        if (!string.IsNullOrEmpty(request.SignatureV3))
        {
            return VerifyV3(request, clientSecret, policy.MaxTimestampAge);
        }

        if (string.IsNullOrEmpty(request.Signature))
        {
            return SignatureVerificationResult.MissingSignature;
        }

        // HubSpot omits the version header for v1, so an unlabelled X-HubSpot-Signature is v1.
        var version = string.IsNullOrEmpty(request.SignatureVersion) ? "v1" : request.SignatureVersion;
        return version.ToUpperInvariant() switch
        {
            "V1" when policy.AcceptV1 => VerifyHex(request.Signature, clientSecret, request.Body, method: null, uri: null),
            "V2" when policy.AcceptV2 => VerifyHex(request.Signature, clientSecret, request.Body, request.Method, request.Uri),
            _ => SignatureVerificationResult.VersionNotAccepted,
        };
    }

    /// <summary>Computes the v3 signature of a request (used by the sandbox that plays HubSpot, and by tests).</summary>
    public static string ComputeV3(string clientSecret, string method, string uri, ReadOnlySpan<byte> body, string timestamp)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeV3Mac(clientSecret, method, uri, body, timestamp, mac);
        return Convert.ToBase64String(mac);
    }

    /// <summary>Computes the lowercase-hex v1 (method and uri null) or v2 signature of a request.</summary>
    public static string ComputeHex(string clientSecret, string? method, string? uri, ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        ComputeHexHash(clientSecret, method, uri, body, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Applies HubSpot's v3 URI rule: decode only <c>%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B</c>.</summary>
    public static string NormalizeUriForV3(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.Contains('%', StringComparison.Ordinal))
        {
            return uri;
        }

        var builder = new StringBuilder(uri.Length);
        for (var i = 0; i < uri.Length; i++)
        {
            if (uri[i] == '%' && i + 2 < uri.Length && TryDecode(uri.AsSpan(i, 3), out var decoded))
            {
                builder.Append(decoded);
                i += 2;
            }
            else
            {
                builder.Append(uri[i]);
            }
        }

        return builder.ToString();
    }

    private static bool TryDecode(ReadOnlySpan<char> escape, out char decoded)
    {
        foreach (var (candidate, character) in DecodedEscapes)
        {
            if (escape.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                decoded = character;
                return true;
            }
        }

        decoded = default;
        return false;
    }

    private SignatureVerificationResult VerifyV3(in SignedWebhookRequest request, string clientSecret, TimeSpan maxAge)
    {
        if (string.IsNullOrEmpty(request.Timestamp)
            || !long.TryParse(request.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var epochMs))
        {
            return SignatureVerificationResult.MissingTimestamp;
        }

        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        if (Math.Abs(now - epochMs) > (long)maxAge.TotalMilliseconds)
        {
            return SignatureVerificationResult.StaleTimestamp;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeV3Mac(clientSecret, request.Method, NormalizeUriForV3(request.Uri), request.Body.Span, request.Timestamp, expected);

        Span<byte> received = stackalloc byte[64];
        if (!Convert.TryFromBase64String(request.SignatureV3!, received, out var written) || written != expected.Length)
        {
            return SignatureVerificationResult.InvalidSignature;
        }

        return CryptographicOperations.FixedTimeEquals(expected, received[..written])
            ? SignatureVerificationResult.Valid
            : SignatureVerificationResult.InvalidSignature;
    }

    private static SignatureVerificationResult VerifyHex(string signature, string clientSecret, ReadOnlyMemory<byte> body, string? method, string? uri)
    {
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        ComputeHexHash(clientSecret, method, uri, body.Span, expected);

        Span<byte> received = stackalloc byte[SHA256.HashSizeInBytes];
        if (signature.Length != SHA256.HashSizeInBytes * 2 || Convert.FromHexString(signature, received, out _, out var written) != OperationStatus.Done
            || written != received.Length)
        {
            return SignatureVerificationResult.InvalidSignature;
        }

        return CryptographicOperations.FixedTimeEquals(expected, received)
            ? SignatureVerificationResult.Valid
            : SignatureVerificationResult.InvalidSignature;
    }

    /// <summary>
    /// The v3 MAC, HMAC-SHA256(secret, method + URI + body + timestamp), fed part by part into a keyed HMAC kept per thread and
    /// reset after each use: a one-shot HMAC fetches the algorithm, builds a native context and hashes the key on every call,
    /// which cost more than hashing a 10-event body (profile of the webhook endpoint under load).
    /// </summary>
    private static void ComputeV3Mac(string clientSecret, string method, string uri, ReadOnlySpan<byte> body, string timestamp, Span<byte> destination)
    {
        var hmac = KeyedHmac.For(clientSecret);
        try
        {
            AppendUtf8(hmac, method);
            AppendUtf8(hmac, uri);
            hmac.AppendData(body);
            AppendUtf8(hmac, timestamp);
            hmac.GetHashAndReset(destination);
        }
        catch
        {
            // Part of a message may be in it: never reuse it.
            KeyedHmac.Discard();
            throw;
        }
    }

    private static void AppendUtf8(IncrementalHash hash, string value)
    {
        var utf8 = Encoding.UTF8;
        var length = utf8.GetMaxByteCount(value.Length);
        if (length <= 1024)
        {
            Span<byte> buffer = stackalloc byte[length];
            hash.AppendData(buffer[..utf8.GetBytes(value, buffer)]);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            hash.AppendData(rented.AsSpan(0, utf8.GetBytes(value, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void ComputeHexHash(string clientSecret, string? method, string? uri, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        // v1: secret + body; v2: secret + method + URI + body. Fed part by part, as the v3 MAC is.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendUtf8(hash, clientSecret);
        if (method is not null)
        {
            AppendUtf8(hash, method);
            AppendUtf8(hash, uri ?? string.Empty);
        }

        hash.AppendData(body);
        hash.GetHashAndReset(destination);
    }
}

/// <summary>
/// A thread's HMAC-SHA256 keyed with the client secret it was last asked for. Keyed again only when the secret changes (an
/// options reload; a thread keeps the old key until it next verifies); the key never leaves the native context. Never shared
/// between threads, and nothing is awaited while one is in use, so no lock.
/// </summary>
internal static class KeyedHmac
{
    [ThreadStatic]
    private static IncrementalHash? t_hmac;

    [ThreadStatic]
    private static string? t_secret;

    public static IncrementalHash For(string clientSecret)
    {
        if (t_hmac is { } hmac && string.Equals(t_secret, clientSecret, StringComparison.Ordinal))
        {
            return hmac;
        }

        Discard();
        var keyed = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(clientSecret));
        (t_hmac, t_secret) = (keyed, clientSecret);
        return keyed;
    }

    /// <summary>Drops this thread's HMAC (after a failure part-way through a message, or before keying a new one).</summary>
    public static void Discard()
    {
        t_hmac?.Dispose();
        (t_hmac, t_secret) = (null, null);
    }
}
