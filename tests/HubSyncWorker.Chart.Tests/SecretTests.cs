using System.Text;

namespace HubSyncWorker.Chart.Tests;

public sealed class SecretTests
{
    private const string Token = "pat-na1-chart-test-token-0001";
    private const string ClientSecret = "chart-test-client-secret-0002";
    private const string AdminToken = "chart-test-admin-token-0003";
    private const string RedisPassword = "chart-test-redis-password-0004";

    [Fact]
    public void Render_ExistingSecret_NoSecretRenderedAndNoValueInlined()
    {
        var rendering = Helm.TemplateOk(
            "--set", "existingSecret=my-credentials",
            "--set", $"secrets.hubspotAccessToken={Token}",
            "--set", $"secrets.webhookClientSecret={ClientSecret}",
            "--set", "redis.host=redis", "--set", "redis.auth=true");

        Assert.Empty(rendering.OfKind("Secret"));
        Assert.DoesNotContain(Token, rendering.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Base64(Token), rendering.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, rendering.Output, StringComparison.Ordinal);

        var worker = rendering.Single("Deployment").Container();
        Assert.Equal("my-credentials", worker.Env("HubSpot__AccessToken")!.Str("valueFrom", "secretKeyRef", "name"));
        Assert.Equal("hubspot-access-token", worker.Env("HubSpot__AccessToken")!.Str("valueFrom", "secretKeyRef", "key"));
        Assert.Equal("webhook-client-secret", worker.Env("Webhooks__ClientSecret")!.Str("valueFrom", "secretKeyRef", "key"));
        Assert.Equal("true", worker.Env("Admin__Token")!.Str("valueFrom", "secretKeyRef", "optional"));
        Assert.Equal("redis-password", worker.Env("Redis__Password")!.Str("valueFrom", "secretKeyRef", "key"));
        Assert.Equal("redis:6379,ssl=true,abortConnect=false", worker.Env("Redis__ConnectionString")!.Str("value"));
    }

    [Fact]
    public void Render_InlineSecrets_ValuesOnlyInTheSecretAndReferencedFromThePods()
    {
        var rendering = Helm.TemplateOk(
            "--set", $"secrets.hubspotAccessToken={Token}",
            "--set", $"secrets.webhookClientSecret={ClientSecret}",
            "--set", $"secrets.adminToken={AdminToken}",
            "--set", $"secrets.redisPassword={RedisPassword}",
            "--set", "redis.host=redis", "--set", "redis.auth=true",
            "--set", "resync.enabled=true");

        var secret = rendering.Single("Secret");
        Assert.Equal(Base64(Token), secret.Str("data", "hubspot-access-token"));
        Assert.Equal(Base64(ClientSecret), secret.Str("data", "webhook-client-secret"));
        Assert.Equal(Base64(AdminToken), secret.Str("data", "admin-token"));
        Assert.Equal(Base64(RedisPassword), secret.Str("data", "redis-password"));

        foreach (var value in new[] { Token, ClientSecret, AdminToken, RedisPassword })
        {
            Assert.DoesNotContain(value, rendering.Output, StringComparison.Ordinal);
            Assert.Equal(1, Occurrences(rendering.Output, Base64(value)));
        }

        foreach (var workload in rendering.OfKind("Deployment").Concat(rendering.OfKind("Job")))
        {
            var container = workload.Container();
            Assert.Equal("hubsync-hubsync-worker", container.Env("HubSpot__AccessToken")!.Str("valueFrom", "secretKeyRef", "name"));
            Assert.Equal("admin-token", container.Env("Admin__Token")!.Str("valueFrom", "secretKeyRef", "key"));
            Assert.Null(container.Env("HubSpot__AccessToken")!.Str("value"));
        }
    }

    [Fact]
    public void Render_PreviousClientSecretDuringARotation_ReachesThePodsAsASecondAcceptedSecret()
    {
        const string previous = "chart-test-previous-client-secret-0005";
        var rendering = Helm.TemplateOk(
            Helm.OnEmbeddedStore,
            "--set", $"secrets.webhookClientSecret={ClientSecret}",
            "--set", $"secrets.webhookPreviousClientSecret={previous}");

        Assert.Equal(Base64(previous), rendering.Single("Secret").Str("data", "webhook-previous-client-secret"));
        Assert.DoesNotContain(previous, rendering.Output, StringComparison.Ordinal);
        var worker = rendering.Single("Deployment").Container();
        Assert.Equal("webhook-previous-client-secret", worker.Env("Webhooks__ClientSecrets__0")!.Str("valueFrom", "secretKeyRef", "key"));
        Assert.Equal("false", worker.Env("Webhooks__ClientSecrets__0")!.Str("valueFrom", "secretKeyRef", "optional"));
    }

    [Fact]
    public void Render_NoPreviousClientSecret_OnlyTheClientSecretUnlessAnExistingSecretMayHoldOne()
    {
        var inline = Helm.TemplateOk(Helm.OnEmbeddedStore, "--set", $"secrets.webhookClientSecret={ClientSecret}").Single("Deployment").Container();
        var existing = Helm.TemplateOk(Helm.OnEmbeddedStore, "--set", "existingSecret=my-credentials").Single("Deployment").Container();

        Assert.Null(inline.Env("Webhooks__ClientSecrets__0"));
        Assert.Equal("true", existing.Env("Webhooks__ClientSecrets__0")!.Str("valueFrom", "secretKeyRef", "optional"));
    }

    [Fact]
    public void Render_InlineSecretChanges_RollsThePodsThroughTheChecksum()
    {
        static string? Checksum(string token) =>
            Helm.TemplateOk(Helm.OnEmbeddedStore, "--set", $"secrets.hubspotAccessToken={token}").Single("Deployment").Str("spec", "template", "metadata", "annotations", "checksum/secret");

        Assert.NotEqual(Checksum(Token), Checksum(Token + "-rotated"));
    }

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var index = text.IndexOf(value, StringComparison.Ordinal); index >= 0; index = text.IndexOf(value, index + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
