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
        return Verify(request, [clientSecret], policy);
    }

    /// <summary>
    /// Checks <paramref name="request"/> under <paramref name="policy"/>: valid when it verifies with any of
    /// <paramref name="clientSecrets"/> (several during a rotation of the app's client secret).
    /// </summary>
    public SignatureVerificationResult Verify(in SignedWebhookRequest request, IReadOnlyList<string> clientSecrets, SignaturePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(clientSecrets);
        if (clientSecrets.Count == 0)
        {
            throw new ArgumentException("At least one client secret is needed.", nameof(clientSecrets));
        }

        var headers = CheckHeaders(request, policy);
        if (headers != SignatureVerificationResult.Valid)
        {
            return headers;
        }

        return MatchesAnySecret(request, clientSecrets, request.Uri) ? SignatureVerificationResult.Valid : SignatureVerificationResult.InvalidSignature;
    }

    /// <summary>
    /// What the headers alone decide, before the body is read: <see cref="SignatureVerificationResult.Valid"/> when the signature
    /// can still verify, else why it cannot (no signature, a version not accepted, a missing or stale v3 timestamp). Refusing
    /// those before reading the body keeps refusals cheap.
    /// </summary>
    public SignatureVerificationResult CheckHeaders(in SignedWebhookRequest request, SignaturePolicy policy)
    {
        if (!string.IsNullOrEmpty(request.SignatureV3))
        {
            if (string.IsNullOrEmpty(request.Timestamp)
                || !long.TryParse(request.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var epochMs))
            {
                return SignatureVerificationResult.MissingTimestamp;
            }

            var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            return Math.Abs(now - epochMs) > (long)policy.MaxTimestampAge.TotalMilliseconds
                ? SignatureVerificationResult.StaleTimestamp
                : SignatureVerificationResult.Valid;
        }

        if (string.IsNullOrEmpty(request.Signature))
        {
            return SignatureVerificationResult.MissingSignature;
        }

        return LegacyVersion(request) switch
        {
            "V1" when policy.AcceptV1 => SignatureVerificationResult.Valid,
            "V2" when policy.AcceptV2 => SignatureVerificationResult.Valid,
            _ => SignatureVerificationResult.VersionNotAccepted,
        };
    }

    /// <summary>
    /// For a request that did not verify: the first of <paramref name="candidateUris"/> under which its signature does verify with
    /// one of <paramref name="clientSecrets"/>, or null. It tells a misconfigured public URL (another scheme behind a TLS-terminating
    /// proxy, another host or path) from a wrong secret or a forged request. Only v3 and v2 sign the URL; v1 always answers null.
    /// The request stays refused: this only names the fix.
    /// </summary>
    public static string? FindSignedUri(in SignedWebhookRequest request, IReadOnlyList<string> clientSecrets, IEnumerable<string> candidateUris)
    {
        ArgumentNullException.ThrowIfNull(clientSecrets);
        ArgumentNullException.ThrowIfNull(candidateUris);
        if (string.IsNullOrEmpty(request.SignatureV3) && LegacyVersion(request) != "V2")
        {
            return null;
        }

        foreach (var uri in candidateUris)
        {
            if (!string.Equals(uri, request.Uri, StringComparison.Ordinal) && MatchesAnySecret(request, clientSecrets, uri))
            {
                return uri;
            }
        }

        return null;
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

    // HubSpot omits the version header for v1, so an unlabelled X-HubSpot-Signature is v1.
    private static string LegacyVersion(in SignedWebhookRequest request) =>
        string.IsNullOrEmpty(request.SignatureVersion) ? "V1" : request.SignatureVersion.ToUpperInvariant();

    /// <summary>Whether the request's signature, computed over <paramref name="uri"/>, matches one of the secrets (headers already checked).</summary>
    private static bool MatchesAnySecret(in SignedWebhookRequest request, IReadOnlyList<string> clientSecrets, string uri)
    {
        if (!string.IsNullOrEmpty(request.SignatureV3))
        {
            Span<byte> received = stackalloc byte[64];
            if (!Convert.TryFromBase64String(request.SignatureV3, received, out var written) || written != HMACSHA256.HashSizeInBytes)
            {
                return false;
            }

            var normalized = NormalizeUriForV3(uri);
            Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
            foreach (var secret in clientSecrets)
            {
                ComputeV3Mac(secret, request.Method, normalized, request.Body.Span, request.Timestamp!, expected);
                if (CryptographicOperations.FixedTimeEquals(expected, received[..written]))
                {
                    return true;
                }
            }

            return false;
        }

        var signature = request.Signature!;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (signature.Length != SHA256.HashSizeInBytes * 2 || Convert.FromHexString(signature, hash, out _, out var decoded) != OperationStatus.Done
            || decoded != hash.Length)
        {
            return false;
        }

        var v2 = LegacyVersion(request) == "V2";
        Span<byte> computed = stackalloc byte[SHA256.HashSizeInBytes];
        foreach (var secret in clientSecrets)
        {
            ComputeHexHash(secret, v2 ? request.Method : null, v2 ? uri : null, request.Body.Span, computed);
            if (CryptographicOperations.FixedTimeEquals(computed, hash))
            {
                return true;
            }
        }

        return false;
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
/// A thread's HMAC-SHA256s keyed with the client secrets it was last asked for (a few: during a rotation two secrets are tried
/// in turn, and re-keying on every switch would undo the point). A slot is keyed again only when a secret it has not seen comes
/// (an options reload); the key never leaves the native context. Never shared between threads, and nothing is awaited while one
/// is in use, so no lock.
/// </summary>
internal static class KeyedHmac
{
    private const int Slots = 4;

    [ThreadStatic]
    private static IncrementalHash?[]? t_hmacs;

    [ThreadStatic]
    private static string?[]? t_secrets;

    [ThreadStatic]
    private static int t_next;

    public static IncrementalHash For(string clientSecret)
    {
        var hmacs = t_hmacs ??= new IncrementalHash?[Slots];
        var secrets = t_secrets ??= new string?[Slots];
        for (var i = 0; i < Slots; i++)
        {
            if (hmacs[i] is { } hmac && string.Equals(secrets[i], clientSecret, StringComparison.Ordinal))
            {
                return hmac;
            }
        }

        var slot = t_next;
        t_next = (slot + 1) % Slots;
        hmacs[slot]?.Dispose();
        var keyed = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(clientSecret));
        (hmacs[slot], secrets[slot]) = (keyed, clientSecret);
        return keyed;
    }

    /// <summary>Drops this thread's HMACs (after a failure part-way through a message: which one failed does not matter).</summary>
    public static void Discard()
    {
        if (t_hmacs is { } hmacs)
        {
            foreach (var hmac in hmacs)
            {
                hmac?.Dispose();
            }
        }

        (t_hmacs, t_secrets, t_next) = (null, null, 0);
    }
}
