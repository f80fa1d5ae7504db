namespace HubSyncWorker.Chart.Tests;

public sealed class DeploymentTests
{
    [Fact]
    public void Deployment_DefaultValues_ProbesAliveForLivenessAndReadyForReadiness()
    {
        var worker = Helm.TemplateOk(Helm.OnEmbeddedStore).Single("Deployment").Container();

        Assert.Equal("/alive", worker.Str("livenessProbe", "httpGet", "path"));
        Assert.Equal("http", worker.Str("livenessProbe", "httpGet", "port"));
        Assert.Equal("/ready", worker.Str("readinessProbe", "httpGet", "path"));
        Assert.Equal("8080", worker.Seq("ports")[0].Str("containerPort"));
    }

    [Fact]
    public void Deployment_DefaultValues_RunsNonRootOnReadOnlyRootWithoutCapabilities()
    {
        var deployment = Helm.TemplateOk(Helm.OnEmbeddedStore).Single("Deployment");
        var pod = deployment.PodSpec();
        var worker = deployment.Container();

        Assert.Equal("true", pod.Str("securityContext", "runAsNonRoot"));
        Assert.Equal("1654", pod.Str("securityContext", "runAsUser"));
        Assert.Equal("1654", pod.Str("securityContext", "fsGroup"));
        Assert.Equal("true", worker.Str("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", worker.Str("securityContext", "allowPrivilegeEscalation"));
        Assert.Equal(["ALL"], worker.Strings("securityContext", "capabilities", "drop"));
        Assert.Equal("RuntimeDefault", worker.Str("securityContext", "seccompProfile", "type"));
        Assert.Contains(worker.Seq("volumeMounts"), m => m.Str("mountPath") == "/tmp");
        Assert.Contains(pod.Seq("volumes"), v => v.Str("name") == "tmp" && v.Get("emptyDir") is not null);
    }

    [Fact]
    public void Deployment_ProductionValues_ThreeReplicasRollingWithoutDowntime()
    {
        var rendering = Helm.TemplateOk("-f", Helm.ProductionValues);
        var deployment = rendering.Single("Deployment");

        Assert.Equal("3", deployment.Str("spec", "replicas"));
        Assert.Equal("RollingUpdate", deployment.Str("spec", "strategy", "type"));
        Assert.Equal("0", deployment.Str("spec", "strategy", "rollingUpdate", "maxUnavailable"));
        Assert.Equal("1", rendering.Single("PodDisruptionBudget").Str("spec", "maxUnavailable"));
        Assert.Equal("ghcr.io/example/hubsync-worker:1.4.2", deployment.Container().Str("image"));
    }

    [Fact]
    public void Render_SeveralReplicasWithoutRedis_FailsNamingRedisHost()
    {
        var rendering = Helm.Template(Helm.OnEmbeddedStore, "--set", "replicaCount=2");

        Assert.NotEqual(0, rendering.ExitCode);
        Assert.Contains("redis.host", rendering.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingress_ProductionValues_ExposesOnlyTheWebhookPathOverTls()
    {
        var ingress = Helm.TemplateOk("-f", Helm.ProductionValues).Single("Ingress");

        var rule = Assert.Single(ingress.Seq("spec", "rules"));
        Assert.Equal("hubsync.example.com", rule.Str("host"));
        var path = Assert.Single(rule.Seq("http", "paths"));
        Assert.Equal("/webhooks/hubspot", path.Str("path"));
        Assert.Equal("hubsync-tls", ingress.Seq("spec", "tls")[0].Str("secretName"));
    }

    [Fact]
    public void ServiceMonitor_ProductionValues_ScrapesMetricsOnTheManagementService()
    {
        var rendering = Helm.TemplateOk("-f", Helm.ProductionValues);
        var monitor = rendering.Single("ServiceMonitor");
        var endpoint = Assert.Single(monitor.Seq("spec", "endpoints"));

        Assert.Equal("/metrics", endpoint.Str("path"));
        Assert.Equal("management", endpoint.Str("port"));
        Assert.Equal("management", monitor.Str("spec", "selector", "matchLabels", "app.kubernetes.io/component"));
        var management = Assert.Single(rendering.OfKind("Service"), s => s.Str("metadata", "labels", "app.kubernetes.io/component") == "management");
        Assert.Equal("9090", management.Seq("spec", "ports")[0].Str("port"));
    }

    [Fact]
    public void ServiceMonitor_MetricsPathMovedInExtraConfig_ScrapesThatPath()
    {
        var rendering = Helm.TemplateOk("-f", Helm.ProductionValues, "--set", "extraConfig.Diagnostics__MetricsPath=/prom");

        Assert.Equal("/prom", Assert.Single(rendering.Single("ServiceMonitor").Seq("spec", "endpoints")).Str("path"));
    }

    [Fact]
    public void ConfigMap_PolicySet_RendersPolicyFileMountedAndPointedAt()
    {
        var rendering = Helm.TemplateOk(Helm.OnEmbeddedStore, "--set-json", """policy={"version":"test-policy-7","mqlThreshold":60}""");
        var configMap = rendering.Single("ConfigMap");
        var deployment = rendering.Single("Deployment");

        Assert.Contains("\"version\": \"test-policy-7\"", configMap.Str("data", "policy.json"), StringComparison.Ordinal);
        Assert.Equal("/etc/hubsync/policy.json", configMap.Str("data", "Qualification__PolicyFile"));
        Assert.Contains(deployment.Container().Seq("volumeMounts"), m => m.Str("mountPath") == "/etc/hubsync" && m.Str("readOnly") == "true");
    }

    [Fact]
    public void ConfigMap_DefaultValues_NoPolicyFileSoTheBuiltInPolicyApplies()
    {
        var configMap = Helm.TemplateOk(Helm.OnEmbeddedStore).Single("ConfigMap");

        Assert.Null(configMap.Str("data", "policy.json"));
        Assert.Null(configMap.Str("data", "Qualification__PolicyFile"));
        Assert.Equal("json", configMap.Str("data", "Logging__Format"));
    }

    [Fact]
    public void ConfigMap_IngressEnabledWithoutPublicUrl_SignsTheHttpsUrlHubSpotCalls()
    {
        var configMap = Helm.TemplateOk(Helm.OnEmbeddedStore, "--set", "ingress.enabled=true", "--set", "ingress.host=hooks.acme.example").Single("ConfigMap");

        Assert.Equal("https://hooks.acme.example/webhooks/hubspot", configMap.Str("data", "Webhooks__PublicUrl"));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void ConfigMap_PublicUrlSet_WinsOverTheIngressDefault(string ingressEnabled)
    {
        var configMap = Helm.TemplateOk(Helm.OnEmbeddedStore, "--set", $"ingress.enabled={ingressEnabled}", "--set", "webhooks.publicUrl=https://edge.acme.example/in/hubspot").Single("ConfigMap");

        Assert.Equal("https://edge.acme.example/in/hubspot", configMap.Str("data", "Webhooks__PublicUrl"));
    }

    [Fact]
    public void ConfigMap_NoIngressNoPublicUrl_LeavesTheRequestsOwnUrl()
    {
        Assert.Null(Helm.TemplateOk(Helm.OnEmbeddedStore).Single("ConfigMap").Str("data", "Webhooks__PublicUrl"));
    }

    [Theory]
    [InlineData("resync.enabled=true", "redis.host")]
    [InlineData("resync.schedule=0 3 * * 0", "redis.host")]
    [InlineData("redis.host=redis,redis.auth=true", "secrets.redisPassword")]
    public void Render_SettingThatCannotWork_FailsNamingWhatIsMissing(string setting, string missing)
    {
        var rendering = Helm.Template(Helm.OnEmbeddedStore, "--set", setting);

        Assert.NotEqual(0, rendering.ExitCode);
        Assert.Contains(missing, rendering.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigMap_NumericAppIdsAndExtraConfig_RenderedAsWrittenNotInExponentForm()
    {
        var configMap = Helm.TemplateOk(
            Helm.OnEmbeddedStore,
            "--set-json", "webhooks.ownAppIds=[1234567,98765432]",
            "--set-json", """extraConfig={"Redis__DeadLetterMaxEntries":1000000,"Sync__QueueBatchSize":"50","Sync__Ratio":0.5}""").Single("ConfigMap");

        Assert.Equal("1234567", configMap.Str("data", "Webhooks__OwnAppIds__0"));
        Assert.Equal("98765432", configMap.Str("data", "Webhooks__OwnAppIds__1"));
        Assert.Equal("1000000", configMap.Str("data", "Redis__DeadLetterMaxEntries"));
        Assert.Equal("50", configMap.Str("data", "Sync__QueueBatchSize"));
        Assert.Equal("0.5", configMap.Str("data", "Sync__Ratio"));
    }
}
