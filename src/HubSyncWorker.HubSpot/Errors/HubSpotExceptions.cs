using System.Net;

namespace HubSyncWorker.HubSpot.Errors;

/// <summary>Base of every failure the HubSpot client surfaces; messages never contain the access token.</summary>
public class HubSpotException : Exception
{
    public HubSpotException()
    {
    }

    public HubSpotException(string message)
        : base(message)
    {
    }

    public HubSpotException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>HubSpot answered with a non-success status that retries could not (or must not) fix.</summary>
public class HubSpotApiException : HubSpotException
{
    public HubSpotApiException()
    {
    }

    public HubSpotApiException(string message)
        : base(message)
    {
    }

    public HubSpotApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public HubSpotApiException(HttpStatusCode statusCode, HubSpotErrorBody? error, string operation)
        : this(Describe(statusCode, error, operation), statusCode, error)
    {
    }

    protected HubSpotApiException(string message, HttpStatusCode statusCode, HubSpotErrorBody? error)
        : base(message)
    {
        StatusCode = statusCode;
        Category = error?.Category;
        HubSpotMessage = error?.Message;
        CorrelationId = error?.CorrelationId;
    }

    /// <summary>The HTTP status HubSpot answered with.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>HubSpot's error category (<c>VALIDATION_ERROR</c>, <c>OBJECT_NOT_FOUND</c>, <c>RATE_LIMITS</c>, ...), when it sent one.</summary>
    public string? Category { get; }

    /// <summary>HubSpot's own error message, when it sent one.</summary>
    public string? HubSpotMessage { get; }

    /// <summary>HubSpot's correlation id: quote it to HubSpot support.</summary>
    public string? CorrelationId { get; }

    private static string Describe(HttpStatusCode statusCode, HubSpotErrorBody? error, string operation) =>
        $"HubSpot {operation} failed with {(int)statusCode} {statusCode}" +
        (error?.Category is { } category ? $" ({category})" : string.Empty) +
        (error?.Message is { } message ? $": {message}" : ".") +
        (error?.CorrelationId is { } correlationId ? $" Correlation id {correlationId}." : string.Empty);
}

/// <summary>
/// HubSpot answered 429 with policy <c>DAILY</c>: the account's daily API budget is spent. Retrying before the reset
/// (midnight in the account's time zone) only adds errors, so the client never retries it.
/// </summary>
public sealed class HubSpotDailyLimitExceededException : HubSpotApiException
{
    public HubSpotDailyLimitExceededException()
    {
    }

    public HubSpotDailyLimitExceededException(string message)
        : base(message)
    {
    }

    public HubSpotDailyLimitExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal HubSpotDailyLimitExceededException(HubSpotErrorBody? error, string operation)
        : base(
            $"HubSpot's daily API limit for this account is exhausted ({operation} answered 429 DAILY); calls resume after the daily reset at midnight in the HubSpot account's time zone." +
            (error?.CorrelationId is { } correlationId ? $" Correlation id {correlationId}." : string.Empty),
            HttpStatusCode.TooManyRequests,
            error)
    {
    }
}

/// <summary>HubSpot could not be reached in time: network errors or timeouts after every retry, or the circuit breaker is open.</summary>
public sealed class HubSpotUnavailableException : HubSpotException
{
    public HubSpotUnavailableException()
    {
    }

    public HubSpotUnavailableException(string message)
        : base(message)
    {
    }

    public HubSpotUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
