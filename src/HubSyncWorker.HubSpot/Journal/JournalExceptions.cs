using System.Net;
using HubSyncWorker.HubSpot.Errors;

namespace HubSyncWorker.HubSpot.Journal;

/// <summary>
/// HubSpot refused the journal scopes: at the token endpoint (the app may not hold them) or on a call (the token lacks one). The
/// worker cannot read the journal until the app is given the scopes; the message says which, and what to do.
/// </summary>
public sealed class HubSpotJournalScopesRefusedException : HubSpotApiException
{
    public HubSpotJournalScopesRefusedException()
    {
    }

    public HubSpotJournalScopesRefusedException(string message)
        : base(message)
    {
    }

    public HubSpotJournalScopesRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal HubSpotJournalScopesRefusedException(HttpStatusCode statusCode, HubSpotErrorBody? error, IReadOnlyList<string> scopes)
        : base(
            $"HubSpot refused the Webhooks Journal scopes ({(scopes.Count == 0 ? "unnamed" : string.Join(", ", scopes))}) for this app: add them to the app's scopes in the developer portal, reinstall it, or use Intake:Mode=Webhooks."
            + (error?.CorrelationId is { } id ? $" Correlation id {id}." : ""),
            statusCode, error)
    {
        Scopes = scopes;
    }

    /// <summary>The scopes HubSpot named as refused or missing (empty when it named none).</summary>
    public IReadOnlyList<string> Scopes { get; } = [];
}

/// <summary>The token endpoint refused the app's client id or secret (<c>BAD_CLIENT_ID</c>, <c>BAD_CLIENT_SECRET</c>, ...).</summary>
public sealed class HubSpotJournalCredentialsRefusedException : HubSpotApiException
{
    public HubSpotJournalCredentialsRefusedException()
    {
    }

    public HubSpotJournalCredentialsRefusedException(string message)
        : base(message)
    {
    }

    public HubSpotJournalCredentialsRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal HubSpotJournalCredentialsRefusedException(HttpStatusCode statusCode, HubSpotErrorBody? error)
        : base(
            $"HubSpot refused the app's client credentials ({error?.Status ?? error?.Category ?? ((int)statusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}): check {HubSpotJournalOptions.SectionName}:ClientId and ClientSecret."
            + (error?.CorrelationId is { } id ? $" Correlation id {id}." : ""),
            statusCode, error)
    {
    }
}

/// <summary>
/// The offset is older than the journal's retention (3 days at HubSpot) or was never issued: what happened after it can no longer be
/// read from the journal, so the reader must start over from the newest offset after a full resync.
/// </summary>
public sealed class HubSpotJournalOffsetExpiredException : HubSpotApiException
{
    public HubSpotJournalOffsetExpiredException()
    {
    }

    public HubSpotJournalOffsetExpiredException(string message)
        : base(message)
    {
    }

    public HubSpotJournalOffsetExpiredException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal HubSpotJournalOffsetExpiredException(string offset, HubSpotErrorBody? error)
        : base($"The Webhooks Journal no longer has offset {offset} (older than its retention, or never issued): a full resync is needed.", HttpStatusCode.NotFound, error)
    {
        Offset = offset;
    }

    /// <summary>The offset the read started from.</summary>
    public string Offset { get; } = "";
}
