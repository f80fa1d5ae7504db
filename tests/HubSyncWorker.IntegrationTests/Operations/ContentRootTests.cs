using System.Diagnostics;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Faults;

namespace HubSyncWorker.IntegrationTests.Operations;

/// <summary>
/// The built worker run as operators run it, <c>dotnet /app/HubSyncWorker.dll</c> from another working directory (a child
/// process): it reads its own appsettings.json, whose logging filters keep Polly's per-attempt logs quiet.
/// </summary>
public sealed class ContentRootTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("hubsync-cwd-").FullName;

    [Fact]
    public async Task Resync_StartedFromAnotherDirectory_ReadsItsAppSettingsSoARetryLogsNothingFromPolly()
    {
        await using var sandbox = await StartSandboxWithOneRetryAsync();

        var (exitCode, output) = await RunWorkerAsync(sandbox, contentRoot: null);

        Assert.True(exitCode == 0, output);
        Assert.Equal(2, sandbox.Stats.Requests(SandboxEndpoint.ContactsList));
        Assert.DoesNotContain("Polly", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resync_ContentRootTheUserSetToAFolderWithoutSettings_IsKeptAndPollyLogsTheRetry()
    {
        // The control: the same run with DOTNET_CONTENTROOT pointing where no appsettings.json is, as every run was before.
        await using var sandbox = await StartSandboxWithOneRetryAsync();

        var (exitCode, output) = await RunWorkerAsync(sandbox, contentRoot: _elsewhere);

        Assert.True(exitCode == 0, output);
        Assert.Contains("Polly", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_elsewhere, recursive: true);

    private static async Task<HubSpotSandbox> StartSandboxWithOneRetryAsync()
    {
        var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        PortalSeed.Seed(sandbox, 5, DateTimeOffset.UtcNow);

        // The first page is answered 503 once: the worker's resilience pipeline (Polly) retries it, which Polly logs unless the
        // worker's appsettings.json turns its category off.
        sandbox.Faults.Inject(SandboxEndpoint.ContactsList, SandboxFault.Status(503));
        return sandbox;
    }

    private async Task<(int ExitCode, string Output)> RunWorkerAsync(HubSpotSandbox sandbox, string? contentRoot)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = _elsewhere,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "HubSyncWorker.dll"), "resync", "--dry-run",
            $"--HubSpot:BaseUrl={sandbox.BaseUrl}", "--HubSpot:AllowCustomBaseUrl=true", $"--HubSpot:AccessToken={sandbox.AccessToken}",
            "--HubSpot:RetryBaseDelay=00:00:00.050",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("ASPNETCORE_CONTENTROOT");
        start.Environment.Remove("DOTNET_CONTENTROOT");
        if (contentRoot is not null)
        {
            start.Environment["DOTNET_CONTENTROOT"] = contentRoot;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the worker.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
