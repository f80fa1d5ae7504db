using System.Net;
using HubSyncWorker.HubSpot.Errors;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace HubSyncWorker.HubSpot.Resilience;

/// <summary>
/// Builds the HubSpot pipeline, outermost first: total timeout → retry → circuit breaker → per-attempt timeout.
/// </summary>
internal static class HubSpotResiliencePipeline
{
    public const string Name = "hubspot";

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, HubSpotOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.TimeProvider = timeProvider;

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "TotalTimeout", Timeout = options.TotalTimeout });

        builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            Name = "Retry",
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryBaseDelay,
            MaxDelay = options.RetryMaxDelay,
            ShouldHandle = ShouldRetryAsync,
            DelayGenerator = async args =>
            {
                if (args.Outcome.Result is not { } response)
                {
                    return null;
                }

                var policy = await PolicyNameAsync(response, args.Context.CancellationToken);
                return HubSpotRetryAdvice.Wait(response.StatusCode, policy, HubSpotRetryAdvice.RetryAfter(response, timeProvider), options);
            },
            OnRetry = async args =>
            {
                // A failure without a response (connection refused, timeout) still names its request.
                var request = args.Outcome.Result?.RequestMessage ?? args.Context.GetRequestMessage();
                var policy = args.Outcome.Result is { } response ? await PolicyNameAsync(response, args.Context.CancellationToken) : null;
                Log.RetryScheduled(
                    logger,
                    request?.Method.Method ?? "HTTP",
                    request?.RequestUri?.AbsolutePath ?? "(request)",
                    args.AttemptNumber + 1,
                    Describe(args.Outcome),
                    policy ?? "none",
                    args.RetryDelay);
            },
        });

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            Name = "CircuitBreaker",
            FailureRatio = options.CircuitBreakerFailureRatio,
            SamplingDuration = options.CircuitBreakerSamplingDuration,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            BreakDuration = options.CircuitBreakerBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
            {
                { Exception: HttpRequestException or TimeoutRejectedException } => true,
                { Result: { } response } => HubSpotRetryAdvice.IsServerFailure(response.StatusCode),
                _ => false,
            }),
            OnOpened = args =>
            {
                Log.CircuitOpened(logger, args.BreakDuration, Describe(args.Outcome));
                return ValueTask.CompletedTask;
            },
            OnHalfOpened = _ =>
            {
                Log.CircuitHalfOpened(logger);
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                Log.CircuitClosed(logger);
                return ValueTask.CompletedTask;
            },
        });

        // The per-attempt timeout is not a strategy here: it is HubSpotAttemptTimeoutHandler, after the rate limiter, so that
        // waiting for a slot of the budget never counts as HubSpot being slow (a queued call would otherwise time out and retry).
    }

    private static async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args)
    {
        switch (args.Outcome)
        {
            case { Exception: HttpRequestException or TimeoutRejectedException }:
                return true;
            case { Result: { } response } when response.StatusCode == HttpStatusCode.TooManyRequests:
                // DAILY means the account's budget for the day is gone: retrying only adds errors.
                return await PolicyNameAsync(response, args.Context.CancellationToken) != HubSpotRetryAdvice.DailyPolicy;
            case { Result: { } response }:
                return HubSpotRetryAdvice.IsTransientStatus(response.StatusCode);
            default:
                return false;
        }
    }

    private static async ValueTask<string?> PolicyNameAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        response.StatusCode == HttpStatusCode.TooManyRequests
            ? (await HubSpotErrorBody.ReadAsync(response, cancellationToken))?.PolicyName
            : null;

    // "status 503", or the exception's type and message ("HttpRequestException: Connection refused (127.0.0.1:9)"): the message of a
    // transport failure tells refused, DNS and TLS failures apart, and carries no header or body.
    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } response ? $"status {(int)response.StatusCode}"
        : outcome.Exception is { } exception ? $"{exception.GetType().Name}: {exception.Message}"
        : "unknown";
}
