using System.Net;
using HubSyncWorker.HubSpot.Resilience;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace HubSyncWorker.HubSpot.Errors;

/// <summary>
/// How every HubSpot client of this project runs a Refit call and reads its answer: transport failures and exhausted resilience become
/// <see cref="HubSpotUnavailableException"/>, an error answer a <see cref="HubSpotApiException"/> (the daily limit its own type), and a
/// cancellation stays a cancellation.
/// </summary>
internal static class HubSpotCall
{
    /// <summary>Runs a call through the pipeline, turning "gave up" outcomes into the client's exceptions.</summary>
    public static async Task<IApiResponse<T>> CallAsync<T>(string operation, Func<Task<IApiResponse<T>>> call)
    {
        IApiResponse<T> response;
        try
        {
            response = await call();
        }
        catch (ApiRequestException ex)
        {
            throw Translate(operation, ex.InnerException ?? ex);
        }
        catch (Exception ex) when (ex is BrokenCircuitException or TimeoutRejectedException or HttpRequestException)
        {
            throw Translate(operation, ex);
        }

        // Refit reports transport failures of IApiResponse calls as an error without a response.
        if (!response.IsReceived && response.Error is { } error)
        {
            throw Translate(operation, error.InnerException ?? error);
        }

        return response;
    }

    public static Exception Translate(string operation, Exception exception) => exception switch
    {
        OperationCanceledException => exception,
        BrokenCircuitException => new HubSpotUnavailableException($"HubSpot {operation} was not attempted: the circuit breaker is open after repeated failures.", exception),
        TimeoutRejectedException timeout => new HubSpotUnavailableException($"HubSpot {operation} timed out after {timeout.Timeout} including retries.", exception),
        _ => new HubSpotUnavailableException($"HubSpot {operation} failed before an answer arrived: {exception.Message}", exception),
    };

    public static OperationCanceledException? FindCancellation(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException cancelled)
            {
                return cancelled;
            }
        }

        return null;
    }

    public static T EnsureContent<T>(IApiResponse<T> response, string operation)
    {
        if (response.IsSuccessStatusCode && response.Error is null && response.Content is not null)
        {
            return response.Content;
        }

        if (response.IsSuccessStatusCode && FindCancellation(response.Error) is { } cancelled)
        {
            // The caller cancelled while the body was being read: that is a cancellation, not an unreadable answer.
            throw cancelled;
        }

        if (response.IsSuccessStatusCode)
        {
            // 2xx whose body did not match the contract: retrying would not help.
            throw new HubSpotApiException($"HubSpot {operation} answered {(int)response.StatusCode} with a body that could not be read.", response.Error);
        }

        var error = HubSpotErrorBody.TryParse(ErrorContent(response));
        if (response.StatusCode == HttpStatusCode.TooManyRequests && error?.PolicyName == HubSpotRetryAdvice.DailyPolicy)
        {
            throw new HubSpotDailyLimitExceededException(error, operation);
        }

        throw new HubSpotApiException(response.StatusCode ?? default, error, operation);
    }

    public static string? ErrorContent(IApiResponse response) => response.Error is ApiException api ? api.Content : null;
}
