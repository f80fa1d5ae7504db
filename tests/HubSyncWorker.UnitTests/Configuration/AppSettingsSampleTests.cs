using HubSyncWorker.Cli;
using HubSyncWorker.Qualification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HubSyncWorker.UnitTests.Configuration;

/// <summary>The shipped appsettings.sample.json is a working configuration: it binds, validates, and holds the default policy.</summary>
public sealed class AppSettingsSampleTests
{
    private static readonly string SamplePath = Path.Combine(AppContext.BaseDirectory, "appsettings.sample.json");

    [Fact]
    public void Sample_WithSecretsSupplied_ValidatesAndCompilesTheDefaultPolicy()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["HubSpot:AccessToken"] = "pat-na1-sample",
            ["Webhooks:ClientSecret"] = "sample-client-secret",
        });

        WorkerCommands.ValidateConfiguration(host.Services);

        var policy = host.Services.GetRequiredService<QualificationPolicy>();
        Assert.Equal(QualificationPolicy.CompileDefault().Version, policy.Version);
    }

    [Fact]
    public void Sample_AsShipped_RefusesToStartWithoutTheSecrets()
    {
        using var host = BuildHost([]);

        var error = Assert.ThrowsAny<Exception>(() => WorkerCommands.ValidateConfiguration(host.Services));

        var message = WorkerCommands.StartupFailure(error);
        Assert.NotNull(message);
        Assert.Contains("HubSpot:AccessToken", message, StringComparison.Ordinal);
        Assert.Contains("Webhooks:ClientSecret", message, StringComparison.Ordinal);
    }

    private static IHost BuildHost(Dictionary<string, string?> overrides)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonFile(SamplePath, optional: false).AddInMemoryCollection(overrides);
        builder.AddHubSyncWorker(WorkerFeatures.Webhooks);
        return builder.Build();
    }
}
