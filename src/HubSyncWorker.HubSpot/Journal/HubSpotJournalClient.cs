using System.Net;
using System.Net.Http.Json;
using HubSyncWorker.HubSpot.Auth;
using HubSyncWorker.HubSpot.Errors;
using HubSyncWorker.HubSpot.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace HubSyncWorker.HubSpot.Journal;

/// <inheritdoc cref="IHubSpotJournalClient"/>
internal sealed partial class HubSpotJournalClient(
    IHubSpotJournalApi api,
    IHttpClientFactory httpClientFactory,
    IOptionsMonitor<HubSpotJournalOptions> options,
    ILogger<HubSpotJournalClient> logger) : IHubSpotJournalClient
{
    /// <summary>The named HttpClient of the pre-signed files: no Authorization header, default loggers removed (the URL is a credential).</summary>
    public const string FilesHttpClientName = "HubSpotJournalFiles";

    public async Task<JournalSubscriptionsEnsured> EnsureSubscriptionsAsync(IReadOnlyList<JournalSubscriptionRequest> wanted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var existing = await ListSubscriptionsAsync(cancellationToken);
        var result = new List<JournalSubscription>();
        var upserted = 0;
        foreach (var request in wanted)
        {
            if (existing.FirstOrDefault(request.IsMetBy) is { } met)
            {
                result.Add(met);
                continue;
            }

            var response = await api.UpsertSubscriptionAsync(request, cancellationToken);
            var stored = Success(response, "journal subscription upsert");
            LogSubscriptionUpserted(logger, stored.Id, stored.SubscriptionType, string.Join(",", stored.Actions), stored.Properties?.Count ?? 0);
            result.Add(stored);
            upserted++;
        }

        return new JournalSubscriptionsEnsured(result, upserted, wanted.Count - upserted);
    }

    public async Task<IReadOnlyList<JournalSubscription>> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        Success(await api.ListSubscriptionsAsync(cancellationToken), "journal subscription list").Results ?? [];

    public async Task<bool> DeleteSubscriptionAsync(long subscriptionId, CancellationToken cancellationToken)
    {
        using var response = await api.DeleteSubscriptionAsync(subscriptionId, cancellationToken);
        ThrowIfNotAnswered(response);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response.StatusCode ?? default, ErrorContent(response), "journal subscription delete");
        }

        return true;
    }

    public async Task<JournalPage> ReadAsync(string? offset, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var response = offset is null
            ? await api.EarliestBatchAsync(count, cancellationToken)
            : await api.NextBatchAsync(offset, count, cancellationToken);
        ThrowIfNotAnswered(response);
        if (response.StatusCode == HttpStatusCode.NotFound && offset is not null)
        {
            var error = HubSpotErrorBody.TryParse(ErrorContent(response));
            response.Dispose();
            LogOffsetExpired(logger, offset);
            throw new HubSpotJournalOffsetExpiredException(offset, error);
        }

        var fetches = Success(response, "journal read").Results ?? [];
        var entries = new JournalEntry[fetches.Count];
        await Parallel.ForAsync(0, fetches.Count, new ParallelOptions { MaxDegreeOfParallelism = options.CurrentValue.FileDownloadConcurrency, CancellationToken = cancellationToken },
            async (i, token) => entries[i] = await DownloadAsync(fetches[i], token));
        return new JournalPage(entries, entries.Length == 0 ? offset : entries[^1].Offset);
    }

    public async Task<string?> LatestOffsetAsync(CancellationToken cancellationToken)
    {
        var response = await api.LatestAsync(cancellationToken);
        ThrowIfNotAnswered(response);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            response.Dispose();
            return null;
        }

        return Success(response, "journal latest").CurrentOffset;
    }

    /// <summary>The entry's file, fetched with a plain client: a pre-signed URL carries its own authorization and refuses any other.</summary>
    private async Task<JournalEntry> DownloadAsync(JournalFetch fetch, CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(FilesHttpClientName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CurrentValue.FileDownloadTimeout);
        using var response = await client.GetAsync(new Uri(fetch.Url), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            // The URL is a credential: the message names the offset only. A read from the same offset gets fresh URLs.
            LogFileRefused(logger, fetch.CurrentOffset, (int)response.StatusCode);
            throw new HubSpotApiException(
                $"Downloading the Webhooks Journal file of offset {fetch.CurrentOffset} failed with {(int)response.StatusCode} {response.StatusCode}; read from the same offset again for fresh URLs.");
        }

        var file = await response.Content.ReadFromJsonAsync<JournalFile>(HubSpotJson.Options, timeout.Token)
            ?? throw new HubSpotApiException($"The Webhooks Journal file of offset {fetch.CurrentOffset} was empty.");
        return new JournalEntry(fetch.CurrentOffset, file.JournalEvents ?? []);
    }

    private static T Success<T>(IApiResponse<T> response, string operation)
    {
        ThrowIfNotAnswered(response);
        using (response)
        {
            if (response.IsSuccessStatusCode && response.Error is null && response.Content is { } content)
            {
                return content;
            }

            throw Failure(response.StatusCode ?? default, ErrorContent(response), operation);
        }
    }

    /// <summary>
    /// Refit keeps what the pipeline threw (a refused token, a cancellation, a network failure) on the response instead of throwing:
    /// it is rethrown as it was, so callers see the typed error.
    /// </summary>
    private static void ThrowIfNotAnswered(IApiResponse response)
    {
        if (response.Error is { } error and not ApiException && error.InnerException is { } thrown)
        {
            response.Dispose();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(thrown);
        }
    }

    private static string? ErrorContent(IApiResponse response) => response.Error is ApiException api ? api.Content : null;

    private static HubSpotApiException Failure(HttpStatusCode statusCode, string? content, string operation)
    {
        var error = HubSpotErrorBody.TryParse(content);
        return statusCode == HttpStatusCode.Forbidden && ClientCredentialsTokenProvider.IsScopeRefusal(error)
            ? new HubSpotJournalScopesRefusedException(statusCode, error, ClientCredentialsTokenProvider.MissingScopes(error) ?? [])
            : new HubSpotApiException(statusCode, error, operation);
    }

    [LoggerMessage(EventId = 1460, Level = LogLevel.Information,
        Message = "Webhooks Journal subscription {SubscriptionId} ({SubscriptionType}: {Actions}, {PropertyCount} properties) created or updated")]
    private static partial void LogSubscriptionUpserted(ILogger logger, long subscriptionId, string subscriptionType, string actions, int propertyCount);

    [LoggerMessage(EventId = 1461, Level = LogLevel.Warning, Message = "The Webhooks Journal no longer has offset {Offset} (older than its retention or never issued)")]
    private static partial void LogOffsetExpired(ILogger logger, string offset);

    [LoggerMessage(EventId = 1462, Level = LogLevel.Warning, Message = "Downloading the Webhooks Journal file of offset {Offset} failed with status {StatusCode}")]
    private static partial void LogFileRefused(ILogger logger, string offset, int statusCode);
}
