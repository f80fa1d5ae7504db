using System.Diagnostics.Metrics;
using HubSyncWorker.HubSpot.RateLimiting;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// HubSpot API usage (meter <c>HubSyncWorker.HubSpot</c>, exported as <c>hubsync_hubspot_*</c>): every attempt by endpoint template,
/// method and status; 429s by HubSpot's policy name; the time callers waited for the rate budget.
/// </summary>
internal sealed class HubSpotCallMetrics
{
    public const string MeterName = "HubSyncWorker.HubSpot";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _rateLimited;
    private readonly Histogram<double> _budgetWait;

    public HubSpotCallMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("hubsync.hubspot.requests", "{request}",
            "HubSpot API attempts (retries included) by endpoint template, method and status code (or 'error' when no answer came).");
        _rateLimited = meter.CreateCounter<long>("hubsync.hubspot.rate_limited", "{response}",
            "HubSpot 429 answers by policy (TEN_SECONDLY_ROLLING, SECONDLY, DAILY, or 'unknown').");
        _budgetWait = meter.CreateHistogram<double>("hubsync.hubspot.rate_budget.wait", "s",
            "Time a request waited for a slot of the shared rate budget, by budget (Standard, Search).");
    }

    public void Request(string endpoint, string method, string status) => _requests.Add(1,
        new KeyValuePair<string, object?>("endpoint", endpoint),
        new KeyValuePair<string, object?>("method", method),
        new KeyValuePair<string, object?>("status", status));

    public void RateLimited(string policy) => _rateLimited.Add(1, new KeyValuePair<string, object?>("policy", policy));

    public void BudgetWait(HubSpotRequestKind kind, TimeSpan waited) =>
        _budgetWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("budget", kind == HubSpotRequestKind.Search ? "Search" : "Standard"));
}
