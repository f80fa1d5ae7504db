using HubSyncWorker.Startup;
using HubSyncWorker.Qualification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HubSyncWorker.UnitTests.Configuration;

/// <summary>The shipped appsettings.sample.json is a working configuration: it binds, validates, and holds the default policy.</summary>
public sealed class AppSettingsSampleTests
{
    private static readonly string SamplePath = Path.Combine(AppContext.BaseDirectory, "appsettings.sample.json");

    [Fact]
    public void Sample_WithSecretsSupplied_ValidatesAndCompilesTheDefaultPolicy()
    {
        using var host = Builder(new Dictionary<string, string?>
        {
            ["HubSpot:AccessToken"] = "pat-na1-sample",
            ["Webhooks:ClientSecret"] = "sample-client-secret",
        }).Build();

        var policy = host.Services.GetRequiredService<QualificationPolicy>();
        Assert.Equal(QualificationPolicy.CompileDefault().Version, policy.Version);
    }

    [Fact]
    public void Sample_AsShipped_RefusesToStartWithoutTheSecrets()
    {
        var builder = Builder([]);

        var error = Assert.ThrowsAny<Exception>(() => builder.Build());

        var message = StartupFailure.Describe(error);
        Assert.NotNull(message);
        Assert.Contains("HubSpot:AccessToken", message, StringComparison.Ordinal);
        Assert.Contains("Webhooks:ClientSecret", message, StringComparison.Ordinal);
    }

    private static WorkerHostBuilder Builder(Dictionary<string, string?> overrides)
    {
        var builder = WorkerHost.CreateBuilder(WorkerHostMode.NoServer, new WorkerHostSettings { IgnoreDefaultSources = true, Features = WorkerFeatures.Webhooks });
        builder.Configuration.AddJsonFile(SamplePath, optional: false).AddInMemoryCollection(overrides);
        return builder;
    }
}
