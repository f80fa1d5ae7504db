using System.Globalization;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker.UnitTests.Webhooks;

public sealed class WebhookOptionsTests
{
    [Theory]
    [InlineData("1.00:00:00")]
    [InlineData("12:00:00")]
    [InlineData("7.00:00:01")]
    public void Validate_DedupeTtlNotLongerThanTheRetryWindowOrOverAWeek_FailsNamingTheKey(string ttl)
    {
        var options = Valid();
        options.DedupeTtl = TimeSpan.Parse(ttl, CultureInfo.InvariantCulture);

        var error = Assert.Single(Failures(options));
        Assert.Contains("Webhooks:DedupeTtl", error, StringComparison.Ordinal);
        Assert.Contains("24-hour retry window", error, StringComparison.Ordinal);
        Assert.Contains($"'{ttl}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.00:00:01")]
    [InlineData("1.01:00:00")]
    [InlineData("7.00:00:00")]
    public void Validate_DedupeTtlBeyondTheRetryWindow_Succeeds(string ttl)
    {
        var options = Valid();
        options.DedupeTtl = TimeSpan.Parse(ttl, CultureInfo.InvariantCulture);

        Assert.Empty(Failures(options));
    }

    [Fact]
    public void Validate_BadPathTimestampAgeAndBodyLimit_ReportsEachNamingKeyAndValue()
    {
        var options = Valid();
        options.Path = "webhooks";
        options.MaxTimestampAge = TimeSpan.Zero;
        options.MaxBodyBytes = 10;

        var errors = Failures(options);

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Webhooks:Path", StringComparison.Ordinal) && e.Contains("'webhooks'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Webhooks:MaxTimestampAge", StringComparison.Ordinal) && e.Contains("'00:00:00'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Webhooks:MaxBodyBytes", StringComparison.Ordinal) && e.Contains("'10'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_EmptyClientSecretsEntry_FailsNamingTheEntry()
    {
        var options = Valid();
        options.ClientSecrets = ["new-secret", " "];

        var error = Assert.Single(Failures(options));

        Assert.StartsWith("Webhooks:ClientSecrets:1 is empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoSecretAtAllWhileEnabled_FailsNamingBothKeys()
    {
        var error = Assert.Single(Failures(new WebhookOptions()));

        Assert.Contains("Webhooks:ClientSecret (or Webhooks:ClientSecrets) is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OnlyClientSecrets_SucceedsAndNeverEchoesASecret()
    {
        var options = new WebhookOptions { ClientSecrets = ["rotated-new-secret", "rotated-old-secret"], Path = "bad" };

        var error = Assert.Single(Failures(options));
        Assert.StartsWith("Webhooks:Path", error, StringComparison.Ordinal);
        Assert.DoesNotContain("rotated", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("one", new string[0], new[] { "one" })]
    [InlineData(null, new[] { "two", "three" }, new[] { "two", "three" })]
    [InlineData("one", new[] { "two" }, new[] { "one", "two" })]
    public void AllClientSecrets_ClientSecretThenClientSecrets(string? single, string[] list, string[] expected)
    {
        var options = new WebhookOptions { ClientSecret = single, ClientSecrets = [.. list] };

        Assert.Equal(expected, options.AllClientSecrets());
    }

    private static List<string> Failures(WebhookOptions options) =>
        Configuration.SettingsCheck.Failures(WebhookOptions.SectionName, options, new WebhookOptionsRules());

    private static WebhookOptions Valid() => new() { ClientSecret = "test-secret" };
}
