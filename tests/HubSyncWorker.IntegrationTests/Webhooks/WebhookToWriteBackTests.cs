using System.Net;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Faults;
using HubSyncWorker.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HubSyncWorker.IntegrationTests.Webhooks;

/// <summary>The whole path: HubSpot (the sandbox) sends a signed webhook, the worker queues it in Redis, evaluates and writes back.</summary>
[Collection("redis")]
public sealed class WebhookToWriteBackTests(RedisServerFixture redis)
{
    private const string Secret = "end-to-end-client-secret";

    [Fact]
    public async Task Webhook_DuringARedisOutage_IsRefusedThenRetriedAndProcessedAsIfNothingHappened()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var contactId = sandbox.Contacts.AddContact(PortalSeed.Contact(1, DateTimeOffset.UtcNow));
        await using var worker = await WorkerApplication.StartAsync(
            SandboxWorkerSettings.For(sandbox, redis.FastFailConnectionString, Secret),
            WorkerFeatures.All);
        var url = new Uri(worker.BaseAddress, "/webhooks/hubspot").ToString();
        var body = "[" + SignedWebhook.PropertyChange(long.Parse(contactId, System.Globalization.CultureInfo.InvariantCulture), "jobtitle", "VP Marketing", eventId: 501) + "]";

        await redis.StopAsync();
        HttpResponseMessage refused;
        try
        {
            refused = await worker.Client.SendAsync(SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow));
        }
        finally
        {
            await redis.StartAsync();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.False(sandbox.Contacts.GetContact(contactId)!.Properties.ContainsKey("hubsync_status"));

        // HubSpot retries the delivery; the worker queues it, evaluates the contact and writes the decision back.
        var accepted = await Eventually.ReturnsAsync(
            () => worker.Client.SendAsync(SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow)),
            r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "the retried delivery is accepted");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var status = await Eventually.ReturnsAsync(
            () => Task.FromResult(sandbox.Contacts.GetContact(contactId)!.Properties.GetValueOrDefault("hubsync_status")),
            s => !string.IsNullOrEmpty(s),
            TimeSpan.FromSeconds(30),
            "the write-back reaches HubSpot");
        Assert.False(string.IsNullOrEmpty(status));

        // The sandbox counts a request once it has answered, a moment after the store holds the write: wait for the count.
        var updates = await Eventually.ReturnsAsync(
            () => Task.FromResult(sandbox.Stats.Requests(SandboxEndpoint.ContactsBatchUpdate)), n => n >= 1, TimeSpan.FromSeconds(10), "the batch update is counted");
        Assert.Equal(1, updates);
    }

    [Fact]
    public async Task Webhook_GenericPropertyChangeOfAContact_IsWrittenBackLikeItsContactTwin()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var legacyId = sandbox.Contacts.AddContact(PortalSeed.Contact(1, DateTimeOffset.UtcNow));
        var genericId = sandbox.Contacts.AddContact(PortalSeed.Contact(1, DateTimeOffset.UtcNow));
        await using var worker = await WorkerApplication.StartAsync(
            SandboxWorkerSettings.For(sandbox, redis.ConnectionString, Secret),
            WorkerFeatures.All);
        var url = new Uri(worker.BaseAddress, "/webhooks/hubspot").ToString();
        var body = "[" + SignedWebhook.PropertyChange(long.Parse(legacyId, System.Globalization.CultureInfo.InvariantCulture), "jobtitle", "VP Marketing", eventId: 701)
            + "," + SignedWebhook.GenericPropertyChange(long.Parse(genericId, System.Globalization.CultureInfo.InvariantCulture), "jobtitle", "VP Marketing", eventId: 702) + "]";

        Assert.Equal(HttpStatusCode.OK, (await worker.Client.SendAsync(SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow))).StatusCode);

        // The same contact data, so the same decision, whichever format announced the change.
        var written = await Eventually.ReturnsAsync(
            () => Task.FromResult((Status(sandbox, legacyId), Status(sandbox, genericId))),
            s => !string.IsNullOrEmpty(s.Item1) && !string.IsNullOrEmpty(s.Item2),
            TimeSpan.FromSeconds(30),
            "both contacts are written back");
        Assert.Equal(written.Item1, written.Item2);

        static string? Status(HubSpotSandbox sandbox, string id) => sandbox.Contacts.GetContact(id)!.Properties.GetValueOrDefault("hubsync_status");
    }

    [Fact]
    public async Task Worker_HubSpotFailingAtStart_ListensAndQueuesWebhooksThenWritesOnceTheBootstrapSucceeds()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var contactId = sandbox.Contacts.AddContact(PortalSeed.Contact(1, DateTimeOffset.UtcNow));

        // Every attempt of the first bootstrap fails (the client retries once); the bootstrap's own retry comes after 5 s.
        sandbox.Faults.Inject(SandboxEndpoint.GroupsList, SandboxFault.Status(503), count: 2);
        await using var worker = await WorkerApplication.StartAsync(
            SandboxWorkerSettings.For(sandbox, redis.ConnectionString, Secret, new Dictionary<string, string?>
            {
                ["HubSpot:MaxRetryAttempts"] = "1",
                ["HubSpot:RetryBaseDelay"] = "00:00:00.010",
                ["HubSpot:RetryMaxDelay"] = "00:00:00.010",
            }),
            WorkerFeatures.All);
        var url = new Uri(worker.BaseAddress, "/webhooks/hubspot").ToString();
        var body = "[" + SignedWebhook.PropertyChange(long.Parse(contactId, System.Globalization.CultureInfo.InvariantCulture), "jobtitle", "VP Marketing", eventId: 601) + "]";

        // Started and serving before HubSpot answered: the probe and the webhook do not wait for it.
        Assert.Equal(HttpStatusCode.OK, (await worker.Client.GetAsync(new Uri(worker.BaseAddress, "/alive"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await worker.Client.SendAsync(SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow))).StatusCode);
        Assert.False(worker.Services.GetRequiredService<BootstrapGate>().IsOpen);
        Assert.False(sandbox.Contacts.GetContact(contactId)!.Properties.ContainsKey("hubsync_status"));

        var status = await Eventually.ReturnsAsync(
            () => Task.FromResult(sandbox.Contacts.GetContact(contactId)!.Properties.GetValueOrDefault("hubsync_status")),
            s => !string.IsNullOrEmpty(s),
            TimeSpan.FromSeconds(30),
            "the queued change is written once the bootstrap has succeeded");
        Assert.False(string.IsNullOrEmpty(status));
        Assert.True(worker.Services.GetRequiredService<BootstrapGate>().IsOpen);
    }

    [Fact]
    public async Task Worker_TokenRefusedAtStart_KeepsQueueingWebhooksThenWritesOnceTheTokenIsAccepted()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var contactId = sandbox.Contacts.AddContact(PortalSeed.Contact(1, DateTimeOffset.UtcNow));
        sandbox.RevokeAccessToken();
        await using var worker = await WorkerApplication.StartAsync(
            SandboxWorkerSettings.For(sandbox, redis.ConnectionString, Secret),
            WorkerFeatures.All);
        var url = new Uri(worker.BaseAddress, "/webhooks/hubspot").ToString();
        var body = "[" + SignedWebhook.PropertyChange(long.Parse(contactId, System.Globalization.CultureInfo.InvariantCulture), "jobtitle", "VP Marketing", eventId: 701) + "]";

        // The bootstrap is refused (401): the worker does not stop, it keeps taking deliveries.
        await Eventually.ReturnsAsync(
            () => Task.FromResult(sandbox.Stats.Requests(SandboxEndpoint.GroupsList, 401)), n => n >= 1, TimeSpan.FromSeconds(30), "the bootstrap is refused");
        Assert.Equal(HttpStatusCode.OK, (await worker.Client.SendAsync(SignedWebhook.V3(url, body, Secret, DateTimeOffset.UtcNow))).StatusCode);
        Assert.False(worker.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        Assert.False(worker.Services.GetRequiredService<BootstrapGate>().IsOpen);

        sandbox.RestoreAccessToken();
        var status = await Eventually.ReturnsAsync(
            () => Task.FromResult(sandbox.Contacts.GetContact(contactId)!.Properties.GetValueOrDefault("hubsync_status")),
            s => !string.IsNullOrEmpty(s),
            TimeSpan.FromSeconds(60),
            "the queued change is written once the token is accepted");
        Assert.False(string.IsNullOrEmpty(status));
        Assert.Equal(0, Environment.ExitCode);
    }

    [Fact]
    public async Task Worker_PolicyWritesALeadStatusThePortalLacks_StopsWithExitCode1()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { RequestsPerTenSeconds = 1000 }, default);
        var policy = System.Text.Json.Nodes.JsonNode.Parse(Qualification.Policy.PolicyLoader.DefaultPolicyJson)!;
        policy["LeadStatus"]!["OpenValue"] = "WORKING";
        var policyFile = Path.Combine(Path.GetTempPath(), $"hubsync-policy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(policyFile, policy.ToJsonString());
        try
        {
            await using var worker = await WorkerApplication.StartAsync(
                new Dictionary<string, string?>
                {
                    ["HubSpot:BaseUrl"] = sandbox.BaseUrl,
                    ["HubSpot:AllowCustomBaseUrl"] = "true",
                    ["HubSpot:AccessToken"] = sandbox.AccessToken,
                    ["Webhooks:ClientSecret"] = Secret,
                    ["Redis:ConnectionString"] = redis.ConnectionString,
                    ["Redis:KeyPrefix"] = RedisServerFixture.NewKeyPrefix(),
                    ["Sync:IncrementalEnabled"] = "false",
                    ["Qualification:PolicyFile"] = policyFile,
                },
                WorkerFeatures.All);
            var stopping = worker.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

            await Task.Delay(TimeSpan.FromSeconds(15), stopping).ContinueWith(_ => { }, TaskScheduler.Default);

            Assert.True(stopping.IsCancellationRequested, "the worker stops once the bootstrap finds the value missing");
            Assert.Equal(1, Environment.ExitCode);
            Assert.False(worker.Services.GetRequiredService<BootstrapGate>().IsOpen);
        }
        finally
        {
            Environment.ExitCode = 0;
            File.Delete(policyFile);
        }
    }
}
