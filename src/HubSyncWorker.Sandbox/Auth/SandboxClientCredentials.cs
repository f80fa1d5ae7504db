using System.Security.Cryptography;
using HubSyncWorker.Sandbox.Journal;

namespace HubSyncWorker.Sandbox.Auth;

/// <summary>Why the token endpoint refused a request, as HubSpot's OAuth error <c>status</c> names it.</summary>
internal sealed record TokenRefusal(string Status, string Message, IReadOnlyList<string> MissingScopes);

/// <summary>A client-credentials token the sandbox issued.</summary>
internal sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt, IReadOnlySet<string> Scopes);

/// <summary>
/// The OAuth client-credentials grant of the sandbox's app: issues tokens for the configured client id and secret, scoped as asked,
/// expiring on the sandbox clock. Thread-safe.
/// </summary>
internal sealed class SandboxClientCredentials(SandboxJournalOptions options, TimeProvider time)
{
    /// <summary>The scopes of the journal and its management API.</summary>
    public const string JournalRead = "developer.webhooks_journal.read";
    public const string SubscriptionsRead = "developer.webhooks_journal.subscriptions.read";
    public const string SubscriptionsWrite = "developer.webhooks_journal.subscriptions.write";

    private static readonly HashSet<string> KnownScopes = new(StringComparer.Ordinal)
    {
        JournalRead, SubscriptionsRead, SubscriptionsWrite,
        "developer.webhooks_journal.snapshots.read", "developer.webhooks_journal.snapshots.write",
        "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.deals.read",
    };

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private int _issued;

    /// <summary>How many tokens were issued so far.</summary>
    public int Issued
    {
        get
        {
            lock (_lock)
            {
                return _issued;
            }
        }
    }

    public TimeSpan Lifetime => options.TokenLifetime;

    /// <summary>A new token, or why not: an unknown client id, a wrong secret, another grant, or a scope the app may not hold.</summary>
    public (IssuedToken? Token, TokenRefusal? Refusal) Issue(string? grantType, string? clientId, string? clientSecret, string? scope)
    {
        if (grantType != "client_credentials")
        {
            return (null, new TokenRefusal("BAD_GRANT_TYPE", $"grant_type must be client_credentials, was '{grantType}'", []));
        }

        if (!FixedTimeEquals(clientId, options.ClientId))
        {
            return (null, new TokenRefusal("BAD_CLIENT_ID", "missing or unknown client id", []));
        }

        if (!FixedTimeEquals(clientSecret, options.ClientSecret))
        {
            return (null, new TokenRefusal("BAD_CLIENT_SECRET", "missing or invalid client secret", []));
        }

        var scopes = (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var refused = scopes.Where(s => !KnownScopes.Contains(s) || (options.RefuseJournalScopes && s.StartsWith("developer.webhooks_journal", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToList();
        if (refused.Count > 0)
        {
            return (null, new TokenRefusal("BAD_SCOPES", $"The app is not allowed the requested scopes: {string.Join(", ", refused)}", refused));
        }

        var token = new IssuedToken("cc-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), time.GetUtcNow() + options.TokenLifetime, scopes);
        lock (_lock)
        {
            _tokens[token.Token] = token;
            _issued++;
        }

        return (token, null);
    }

    /// <summary>The live token behind <paramref name="bearer"/>, or null (unknown or expired on the sandbox clock).</summary>
    public IssuedToken? Find(string bearer)
    {
        lock (_lock)
        {
            if (!_tokens.TryGetValue(bearer, out var token))
            {
                return null;
            }

            if (token.ExpiresAt <= time.GetUtcNow())
            {
                _tokens.Remove(bearer);
                return null;
            }

            return token;
        }
    }

    private static bool FixedTimeEquals(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(expected));
}
