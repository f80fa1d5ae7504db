using HubSyncWorker.Storage;
using HubSyncWorker.UnitTests.Configuration;

namespace HubSyncWorker.UnitTests.Storage;

public sealed class RedisOptionsTests
{
    private static List<string> Failures(RedisOptions options) => SettingsCheck.Failures(RedisOptions.SectionName, options, new RedisOptionsRules());

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var options = new RedisOptions();

        Assert.Empty(Failures(options));
        Assert.True(options.UsesEmbeddedStore);
        Assert.Equal(TimeSpan.FromHours(1), options.CoalesceTtl);
        Assert.Equal(TimeSpan.FromSeconds(60), options.ClaimIdleTime);
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsEveryOneNamingKeyAndValue()
    {
        var options = new RedisOptions
        {
            KeyPrefix = "",
            ClaimIdleTime = TimeSpan.Zero,
            QueuePollInterval = TimeSpan.FromHours(-2),
            DeadLetterMaxEntries = 0,
        };

        var errors = Failures(options);

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("Redis:KeyPrefix", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Redis:ClaimIdleTime", StringComparison.Ordinal) && e.Contains("'00:00:00'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Redis:QueuePollInterval", StringComparison.Ordinal) && e.Contains("'-02:00:00'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Redis:DeadLetterMaxEntries", StringComparison.Ordinal) && e.Contains("'0'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadConnectionStringWithPassword_NamesTheKeyButNeverThePassword()
    {
        var options = new RedisOptions { ConnectionString = "redis:6379,password=hunter2-secret,notanoption=1" };

        var error = Assert.Single(Failures(options));
        Assert.Contains("Redis:ConnectionString", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GoodConnectionString_Succeeds()
    {
        var options = new RedisOptions { ConnectionString = "redis.default.svc:6379,password=x,ssl=false" };

        Assert.Empty(Failures(options));
        Assert.False(options.UsesEmbeddedStore);
    }

    [Theory]
    [InlineData("p,a=ss")]
    [InlineData("plain")]
    public void ConnectOptions_PasswordSetApart_IsTakenAsItIsWhateverItHolds(string password)
    {
        var options = StorageServiceCollectionExtensions.ConnectOptions(new RedisOptions { ConnectionString = "redis:6379,ssl=false", Password = password });

        Assert.Equal(password, options.Password);
        Assert.True(options.EndPoints.Single() is System.Net.DnsEndPoint { Host: "redis", Port: 6379 });
        Assert.False(options.AbortOnConnectFail);
    }

    [Fact]
    public void ConnectOptions_NoPasswordSetApart_KeepsTheConnectionStringsOwn()
    {
        var options = StorageServiceCollectionExtensions.ConnectOptions(new RedisOptions { ConnectionString = "redis:6379,password=inline" });

        Assert.Equal("inline", options.Password);
    }

    [Fact]
    public void Validate_BadSafetySettings_ReportsEachNamingKeyAndValue()
    {
        var options = new RedisOptions
        {
            MaxQueueLength = 10,
            DeadConsumerIdleTime = TimeSpan.FromMinutes(1),
            WaitForReplicas = 2,
            WaitForReplicasTimeout = TimeSpan.FromMinutes(1),
            CaCertificatePath = "/nonexistent/ca.pem",
        };

        var errors = Failures(options);

        Assert.Contains(errors, e => e.Contains("Redis:MaxQueueLength", StringComparison.Ordinal) && e.Contains("'10'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Redis:DeadConsumerIdleTime", StringComparison.Ordinal) && e.Contains("'00:01:00'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Redis:WaitForReplicasTimeout", StringComparison.Ordinal) && e.Contains("'00:01:00'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Redis:CaCertificatePath", StringComparison.Ordinal) && e.Contains("/nonexistent/ca.pem", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Redis:WaitForReplicas must be 0 with the embedded store", StringComparison.Ordinal));
    }
}
