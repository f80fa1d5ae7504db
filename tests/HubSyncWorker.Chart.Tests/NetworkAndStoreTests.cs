namespace HubSyncWorker.Chart.Tests;

/// <summary>The NetworkPolicy, the management port that no public Service or Ingress exposes, and the Redis settings.</summary>
public sealed class NetworkAndStoreTests
{
    [Fact]
    public void NetworkPolicy_ProductionValues_WebhookPortFromTheIngressControllerAndManagementFromMonitoringOnly()
    {
        var policy = Helm.TemplateOk("-f", Helm.ProductionValues).Single("NetworkPolicy");
        var rules = policy.Seq("spec", "ingress");

        Assert.Equal("worker", policy.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/component"));
        Assert.Equal(2, rules.Count);
        var webhook = rules[0];
        Assert.Equal("http", webhook.Seq("ports").Single().Str("port"));
        var controller = webhook.Seq("from").Single();
        Assert.Equal("ingress-nginx", controller.Str("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
        Assert.Equal("ingress-nginx", controller.Str("podSelector", "matchLabels", "app.kubernetes.io/name"));
        var management = rules[1];
        Assert.Equal("management", management.Seq("ports").Single().Str("port"));
        Assert.Equal("monitoring", management.Seq("from").Single().Str("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
    }

    [Fact]
    public void NetworkPolicy_ProductionValues_EgressOnlyToDnsRedisAndHttps()
    {
        var egress = Helm.TemplateOk("-f", Helm.ProductionValues).Single("NetworkPolicy").Seq("spec", "egress");

        var ports = egress.SelectMany(rule => rule.Seq("ports")).Select(p => $"{p.Str("protocol")}/{p.Str("port")}").Order(StringComparer.Ordinal);
        Assert.Equal(["TCP/443", "TCP/53", "TCP/6379", "UDP/53"], ports);
        Assert.Equal("kube-dns", egress[0].Seq("to").Single().Str("podSelector", "matchLabels", "k8s-app"));
        var https = egress.Single(rule => rule.Seq("ports").Any(p => p.Str("port") == "443")).Seq("to").Single();
        Assert.Equal("0.0.0.0/0", https.Str("ipBlock", "cidr"));
        Assert.Contains("10.0.0.0/8", https.Strings("ipBlock", "except"));
    }

    [Fact]
    public void NetworkPolicy_CustomSelectors_RenderedAsGiven()
    {
        var policy = Helm.TemplateOk(
            "-f", Helm.ProductionValues,
            "--set-json", """networkPolicy.ingressController={"namespaceSelector":{"matchLabels":{"team":"edge"}},"podSelector":{"matchLabels":{"app":"traefik"}}}""",
            "--set-json", """networkPolicy.managementFrom=[{"namespaceSelector":{"matchLabels":{"team":"ops"}}}]""",
            "--set-json", """networkPolicy.redisTo=[{"podSelector":{"matchLabels":{"app":"redis"}}}]""").Single("NetworkPolicy");

        var controller = policy.Seq("spec", "ingress")[0].Seq("from").Single();
        Assert.Equal("edge", controller.Str("namespaceSelector", "matchLabels", "team"));
        Assert.Equal("traefik", controller.Str("podSelector", "matchLabels", "app"));
        Assert.Equal("ops", policy.Seq("spec", "ingress")[1].Seq("from").Single().Str("namespaceSelector", "matchLabels", "team"));
        var redis = policy.Seq("spec", "egress").Single(rule => rule.Seq("ports").Any(p => p.Str("port") == "6379"));
        Assert.Equal("redis", redis.Seq("to").Single().Str("podSelector", "matchLabels", "app"));
    }

    [Fact]
    public void Otlp_EndpointSet_ConfiguredAndItsPortOpenedForEgress()
    {
        var rendering = Helm.TemplateOk(
            "-f", Helm.ProductionValues,
            "--set", "otlp.endpoint=http://otel-collector.monitoring:4318",
            "--set-json", """networkPolicy.otlpTo=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"monitoring"}}}]""");

        Assert.Equal("http://otel-collector.monitoring:4318", rendering.Single("ConfigMap").Str("data", "Diagnostics__Otlp__Endpoint"));
        var otlp = rendering.Single("NetworkPolicy").Seq("spec", "egress").Single(rule => rule.Seq("ports").Any(p => p.Str("port") == "4318"));
        Assert.Equal("monitoring", otlp.Seq("to").Single().Str("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
    }

    [Fact]
    public void Otlp_NoEndpoint_NeitherConfiguredNorOpened()
    {
        var rendering = Helm.TemplateOk("-f", Helm.ProductionValues);

        Assert.Null(rendering.Single("ConfigMap").Str("data", "Diagnostics__Otlp__Endpoint"));
        Assert.DoesNotContain(rendering.Single("NetworkPolicy").Seq("spec", "egress").SelectMany(rule => rule.Seq("ports")), p => p.Str("port") == "4318");
    }

    [Fact]
    public void NetworkPolicy_Disabled_NotRendered()
    {
        Assert.Empty(Helm.TemplateOk("-f", Helm.ProductionValues, "--set", "networkPolicy.enabled=false").OfKind("NetworkPolicy"));
    }

    [Fact]
    public void ManagementPort_Default_WorkerListensOnItAndNeitherThePublicServiceNorTheIngressExposesIt()
    {
        var rendering = Helm.TemplateOk("-f", Helm.ProductionValues);
        var worker = rendering.Single("Deployment").Container();

        Assert.Contains(worker.Seq("ports"), p => p.Str("name") == "management" && p.Str("containerPort") == "9090");
        Assert.Equal("9090", rendering.Single("ConfigMap").Str("data", "Diagnostics__ManagementPort"));
        var publicService = rendering.OfKind("Service").Single(s => s.Str("metadata", "labels", "app.kubernetes.io/component") == "worker");
        Assert.Equal(["http"], publicService.Seq("spec", "ports").Select(p => p.Str("targetPort")));
        var backends = rendering.Single("Ingress").Seq("spec", "rules")[0].Seq("http", "paths").Select(p => p.Str("backend", "service", "port", "name"));
        Assert.All(backends, port => Assert.Equal("http", port));
    }

    [Fact]
    public void ManagementPort_Zero_EverythingOnTheWebhookPortWithoutAManagementService()
    {
        var rendering = Helm.TemplateOk("-f", Helm.ProductionValues, "--set", "management.port=0");

        Assert.Single(rendering.OfKind("Service"));
        Assert.Null(rendering.Single("ConfigMap").Str("data", "Diagnostics__ManagementPort"));
        Assert.Equal("http", rendering.Single("ServiceMonitor").Seq("spec", "endpoints").Single().Str("port"));
        Assert.Single(rendering.Single("NetworkPolicy").Seq("spec", "ingress"));
    }

    [Fact]
    public void Render_AdminThroughIngressWithManagementPort_FailsNamingBothValues()
    {
        var rendering = Helm.Template("-f", Helm.ProductionValues, "--set", "admin.exposeThroughIngress=true");

        Assert.NotEqual(0, rendering.ExitCode);
        Assert.Contains("admin.exposeThroughIngress needs management.port=0", rendering.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("management.port=8080", "/management/port")]
    [InlineData("networkPolicy.httpsCidrs[0]=everywhere", "/networkPolicy/httpsCidrs/0")]
    public void Render_BadNetworkValue_FailsOnTheSchema(string setting, string path)
    {
        var rendering = Helm.Template("-f", Helm.ProductionValues, "--set", setting);

        Assert.NotEqual(0, rendering.ExitCode);
        Assert.Contains(path, rendering.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DefaultValuesWithoutRedis_RefusesTheEmbeddedStoreNamingTheValueThatAllowsIt()
    {
        var rendering = Helm.Template();

        Assert.NotEqual(0, rendering.ExitCode);
        Assert.Contains("redis.host is empty", rendering.Error, StringComparison.Ordinal);
        Assert.Contains("redis.allowEmbeddedStore=true", rendering.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EmbeddedStoreAllowedWithTwoReplicas_Fails()
    {
        var rendering = Helm.Template(Helm.OnEmbeddedStore, "--set", "replicaCount=2");

        Assert.NotEqual(0, rendering.ExitCode);
        Assert.Contains("replicaCount > 1 needs redis.host", rendering.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_Defaults_TlsAndPasswordFromTheSecret()
    {
        var worker = Helm.TemplateOk("--set", "redis.host=redis", "--set", "existingSecret=credentials").Single("Deployment").Container();

        Assert.Equal("redis:6379,ssl=true,abortConnect=false", worker.Env("Redis__ConnectionString")!.Str("value"));
        Assert.Equal("redis-password", worker.Env("Redis__Password")!.Str("valueFrom", "secretKeyRef", "key"));
        Assert.Null(worker.Env("Redis__User"));
    }

    [Fact]
    public void Redis_AclUserAndCaSecret_PassedAsSettingsAndTheCaMountedReadOnly()
    {
        var deployment = Helm.TemplateOk("-f", Helm.ProductionValues, "--set", "redis.user=hubsync", "--set", "redis.caSecret=redis-ca").Single("Deployment");
        var worker = deployment.Container();

        Assert.Equal("hubsync", worker.Env("Redis__User")!.Str("value"));
        Assert.Equal("/etc/hubsync/redis-ca/ca.crt", worker.Env("Redis__CaCertificatePath")!.Str("value"));
        Assert.Contains(worker.Seq("volumeMounts"), m => m.Str("mountPath") == "/etc/hubsync/redis-ca" && m.Str("readOnly") == "true");
        Assert.Contains(deployment.PodSpec().Seq("volumes"), v => v.Str("secret", "secretName") == "redis-ca");
    }

    [Fact]
    public void HubSpotBaseUrl_CustomAllowed_PassedToTheWorkerAndOtherwiseLeftToItsDefaultRefusal()
    {
        var allowed = Helm.TemplateOk("-f", Helm.ProductionValues, "--set", "hubspot.baseUrl=https://hubspot-proxy.internal", "--set", "hubspot.allowCustomBaseUrl=true").Single("ConfigMap");
        var standard = Helm.TemplateOk("-f", Helm.ProductionValues).Single("ConfigMap");

        Assert.Equal("true", allowed.Str("data", "HubSpot__AllowCustomBaseUrl"));
        Assert.Null(standard.Str("data", "HubSpot__AllowCustomBaseUrl"));
    }
}
