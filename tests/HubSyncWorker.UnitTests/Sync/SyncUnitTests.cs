using HubSyncWorker.HubSpot.Contacts;
using HubSyncWorker.Sync;

namespace HubSyncWorker.UnitTests.Sync;

public sealed class ContactSnapshotReaderTests
{
    [Theory]
    [InlineData(null, null, null, new string[0])]
    [InlineData("1", "Newsletter", "Newsletter", new[] { "Newsletter" })]
    [InlineData("2", "Newsletter", "Request a demo", new[] { "Newsletter", "Request a demo" })]
    [InlineData("2", "Ebook", "Ebook", new[] { "Ebook", "Ebook" })]
    [InlineData(null, "Newsletter", null, new[] { "Newsletter" })]
    [InlineData("1", null, "Request a demo", new[] { "Request a demo" })]
    public void ConversionNamesWithoutHistory_UpToTwoConversions_AreAllKnownFromFirstAndRecent(string? count, string? first, string? recent, string[] expected)
    {
        var contact = new HubSpotContact
        {
            Id = "1",
            Properties = new Dictionary<string, string?>
            {
                ["num_conversion_events"] = count,
                ["first_conversion_event_name"] = first,
                ["recent_conversion_event_name"] = recent,
            },
        };

        Assert.Equal(expected, ContactSnapshotReader.ConversionNamesWithoutHistory(contact));
    }
}

public sealed class ConversionHistoryConsistencyTests
{
    [Theory]
    [InlineData(new[] { "Request a demo" }, new[] { "Newsletter signup", "Request a demo" })]
    [InlineData(new[] { "Newsletter signup", "Request a demo" }, new[] { "Newsletter signup", "Request a demo" })]
    [InlineData(new string[0], new[] { "Newsletter signup" })]
    public void WithFirstConversion_HistoryMissingTheFirstConversion_AgreesWithTheListPath(string[] fromHistory, string[] expected)
    {
        var contact = new HubSpotContact
        {
            Id = "7",
            Properties = new Dictionary<string, string?>
            {
                ["num_conversion_events"] = "2",
                ["first_conversion_event_name"] = "Newsletter signup",
                ["recent_conversion_event_name"] = "Request a demo",
            },
        };
        var snapshot = new HubSyncWorker.Qualification.ContactSnapshot("7", contact.Properties, fromHistory);

        var completed = ContactSnapshotReader.WithFirstConversion(snapshot, contact);

        Assert.Equal(expected, completed.ConversionNames);
        if (fromHistory.Length > 0)
        {
            Assert.Equal(ContactSnapshotReader.ConversionNamesWithoutHistory(contact), completed.ConversionNames);
        }
    }
}

public sealed class IncrementalSyncTests
{
    [Theory]
    [InlineData("1767000000000", 1_767_000_000_000L)]
    [InlineData("2026-01-01T00:00:00Z", 1_767_225_600_000L)]
    [InlineData("2026-01-01T00:00:00.123Z", 1_767_225_600_123L)]
    [InlineData("not a date", null)]
    [InlineData("", null)]
    public void ParseTimestamp_AcceptsEpochMillisecondsAndIso8601(string value, long? expected)
    {
        Assert.Equal(expected, IncrementalSync.ParseTimestamp(value));
    }
}

public sealed class SyncOptionsSettingsTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.Empty(Failures(new SyncOptions()));
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsEveryKeyAndValueAtOnce()
    {
        var options = new SyncOptions
        {
            IncrementalInterval = TimeSpan.FromSeconds(2),
            QueueBatchSize = 101,
            FullResyncCron = "every sunday",
        };

        var failures = Failures(options);

        Assert.Contains(failures, f => f.Contains("Sync:IncrementalInterval", StringComparison.Ordinal) && f.Contains("00:00:02", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Sync:QueueBatchSize", StringComparison.Ordinal) && f.Contains("101", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Sync:FullResyncCron", StringComparison.Ordinal) && f.Contains("every sunday", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("00:00:00.050")]
    [InlineData("00:11:00")]
    public void Validate_TokenRecheckIntervalOutOfRange_NamesTheKeyAndTheValue(string value)
    {
        var failures = Failures(new SyncOptions { TokenRecheckInterval = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Contains(failures, f => f.StartsWith("Sync:TokenRecheckInterval must be between", StringComparison.Ordinal) && f.Contains(value, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0 0 3 ? * SUN")]
    [InlineData("0 */15 * * * ?")]
    public void Validate_QuartzCron_Succeeds(string cron)
    {
        Assert.Empty(Failures(new SyncOptions { FullResyncCron = cron }));
    }

    private static List<string> Failures(SyncOptions options) => Configuration.SettingsCheck.Failures(SyncOptions.SectionName, options);
}

public sealed class SyncOptionsRulesTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var validator = new SyncOptionsRules(Microsoft.Extensions.Options.Options.Create(new HubSyncWorker.HubSpot.HubSpotOptions()));

        Assert.True(validator.Validate(null, new SyncOptions()).Succeeded);
    }

    [Theory]
    [InlineData("00:01:00", "00:02:00")]
    [InlineData("00:02:00", "00:02:00")]
    public void Validate_LockNotLongerThanHubSpotsTotalTimeout_FailsNamingBothKeysAndValues(string lockTtl, string totalTimeout)
    {
        var hubSpot = new HubSyncWorker.HubSpot.HubSpotOptions { TotalTimeout = TimeSpan.Parse(totalTimeout, System.Globalization.CultureInfo.InvariantCulture) };
        var validator = new SyncOptionsRules(Microsoft.Extensions.Options.Options.Create(hubSpot));

        var result = validator.Validate(null, new SyncOptions { ResyncLockTtl = TimeSpan.Parse(lockTtl, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Equal($"Sync:ResyncLockTtl must be longer than HubSpot:TotalTimeout ('{totalTimeout}'); was '{lockTtl}'.", failure);
    }

    [Fact]
    public void Validate_LockLongerThanHubSpotsTotalTimeout_Succeeds()
    {
        var hubSpot = new HubSyncWorker.HubSpot.HubSpotOptions { TotalTimeout = TimeSpan.FromSeconds(5) };
        var validator = new SyncOptionsRules(Microsoft.Extensions.Options.Options.Create(hubSpot));

        Assert.True(validator.Validate(null, new SyncOptions { ResyncLockTtl = TimeSpan.FromSeconds(6) }).Succeeded);
    }
}

public sealed class TransientFailuresTests
{
    [Theory]
    [InlineData(423, false)]
    [InlineData(429, true)]
    [InlineData(477, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    public void IsTransient_HubSpotStatusAfterTheRetries_OnlyMigrationsRateLimitsAndServerErrors(int status, bool expected)
    {
        var exception = new HubSyncWorker.HubSpot.Errors.HubSpotApiException((System.Net.HttpStatusCode)status, null, "batch read contacts");

        Assert.Equal(expected, TransientFailures.IsTransient(exception));
    }

    [Theory]
    [InlineData("MISSING_REQUIRED_PROPERTY")]
    [InlineData("MISSING_CONDITIONAL_REQUIRED_PROPERTY")]
    public void IsTransient_PortalValidationRuleRejection_IsNeverRetried(string code)
    {
        var body = HubSyncWorker.HubSpot.Errors.HubSpotErrorBody.TryParse(
            $$$"""{"status":"error","message":"m","category":"VALIDATION_ERROR","errors":[{"code":"{{{code}}}","context":{"propertyName":["company"]}}]}""");
        var exception = new HubSyncWorker.HubSpot.Errors.HubSpotApiException(System.Net.HttpStatusCode.BadRequest, body, "batch update contacts");

        Assert.False(TransientFailures.IsTransient(exception));
    }

    [Theory]
    [InlineData(401, true)]
    [InlineData(403, true)]
    [InlineData(400, false)]
    [InlineData(404, false)]
    [InlineData(503, false)]
    public void IsAccessRejected_HubSpotStatus_OnlyTheTokenRefusals(int status, bool expected)
    {
        var exception = new HubSyncWorker.HubSpot.Errors.HubSpotApiException((System.Net.HttpStatusCode)status, null, "batch read contacts");

        Assert.Equal(expected, TransientFailures.IsAccessRejected(exception));
    }
}
