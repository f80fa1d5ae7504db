using HubSyncWorker.HubSpot.Webhooks;
using HubSyncWorker.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.UnitTests.Webhooks;

public sealed class WebhookRefusalsTests : IDisposable
{
    private const string UrlFix = "HubSpot signed https://hubsync.example.com/webhooks/hubspot: set Webhooks:PublicUrl to it.";
    private const string SecretFix = "Check Webhooks:ClientSecret.";

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<WebhookRefusals> _logger = new();
    private readonly WebhookRefusals _refusals;

    public WebhookRefusalsTests() =>
        _refusals = new WebhookRefusals(new WebhookMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), _time, _logger);

    public void Dispose()
    {
        _refusals.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void Record_EachCause_IsCountedUnderItsOwnLabel()
    {
        using var refused = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WebhookMetrics.MeterName, "hubsync.webhook.refusals");

        foreach (var cause in Enum.GetValues<RefusalCause>())
        {
            _refusals.Record(new WebhookRefusal(cause, "fix"));
        }

        _refusals.Record(new WebhookRefusal(RefusalCause.UrlMismatch, UrlFix));

        var byCause = refused.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["cause"]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["missing_signature"] = 1, ["signature_version_not_accepted"] = 1, ["bad_timestamp"] = 1, ["stale_timestamp"] = 1,
                ["bad_signature"] = 1, ["url_mismatch"] = 2,
            },
            byCause);
    }

    [Theory]
    [InlineData(SignatureVerificationResult.MissingSignature, "missing_signature")]
    [InlineData(SignatureVerificationResult.VersionNotAccepted, "signature_version_not_accepted")]
    [InlineData(SignatureVerificationResult.MissingTimestamp, "bad_timestamp")]
    [InlineData(SignatureVerificationResult.StaleTimestamp, "stale_timestamp")]
    [InlineData(SignatureVerificationResult.InvalidSignature, "bad_signature")]
    public void CauseOf_EachRefusal_HasItsLabel(SignatureVerificationResult result, string expected) =>
        Assert.Equal(expected, WebhookRefusals.Label(WebhookRefusals.CauseOf(result)!.Value));

    [Fact]
    public void Record_ManyRefusalsWithinAMinute_LogOneWarningAndTheRestWhenTheMinuteIsUp()
    {
        _refusals.Record(new WebhookRefusal(RefusalCause.BadSignature, SecretFix));
        var first = Assert.Single(Warnings());
        Assert.Contains("Refused 1 webhook deliveries", first.Message, StringComparison.Ordinal);
        Assert.Contains("bad_signature=1", first.Message, StringComparison.Ordinal);
        Assert.Contains(SecretFix, first.Message, StringComparison.Ordinal);

        for (var i = 0; i < 40; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _refusals.Record(new WebhookRefusal(i % 4 == 0 ? RefusalCause.UrlMismatch : RefusalCause.BadSignature, i % 4 == 0 ? UrlFix : SecretFix));
        }

        Assert.Single(Warnings());

        // The minute is up: the refusals since the first warning are logged, though no delivery came since.
        _time.Advance(TimeSpan.FromSeconds(20));
        var warnings = Warnings();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("Refused 40 webhook deliveries", warnings[1].Message, StringComparison.Ordinal);
        Assert.Contains("bad_signature=30, url_mismatch=10", warnings[1].Message, StringComparison.Ordinal);
        Assert.Contains(SecretFix + " " + UrlFix, warnings[1].Message, StringComparison.Ordinal);
        Assert.Equal(2100, warnings[1].Id.Id);

        // Nothing new: nothing more is logged.
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, Warnings().Count);
    }

    [Fact]
    public void Record_AfterAQuietMinute_IsLoggedAtOnce()
    {
        _refusals.Record(new WebhookRefusal(RefusalCause.StaleTimestamp, "Check the clock."));
        _time.Advance(TimeSpan.FromMinutes(3));

        _refusals.Record(new WebhookRefusal(RefusalCause.StaleTimestamp, "Check the clock."));

        var warnings = Warnings();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("stale_timestamp=1", warnings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_RefusalsInTheLastTenMinutes_AreDegradedWithTheCountsAndTheFix()
    {
        var check = new WebhookHealthCheck(_refusals);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        _refusals.Record(new WebhookRefusal(RefusalCause.BadSignature, SecretFix));
        _time.Advance(TimeSpan.FromMinutes(2));
        _refusals.Record(new WebhookRefusal(RefusalCause.UrlMismatch, UrlFix));
        _refusals.Record(new WebhookRefusal(RefusalCause.UrlMismatch, UrlFix));
        _time.Advance(TimeSpan.FromMinutes(9));

        var degraded = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("3 webhook deliveries refused", degraded.Description, StringComparison.Ordinal);
        Assert.Contains("url_mismatch 2, bad_signature 1", degraded.Description, StringComparison.Ordinal);
        Assert.Contains("Likely fix: " + UrlFix + " " + SecretFix, degraded.Description, StringComparison.Ordinal);
        Assert.Equal(2L, degraded.Data["refused.url_mismatch"]);

        // Ten minutes after the latest refusal the worker is healthy again (it was never unhealthy: it stays in the Service).
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    private List<FakeLogRecord> Warnings() => [.. _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning)];
}
