namespace HubSyncWorker.Chart.Tests;

public sealed class ResyncJobTests
{
    [Fact]
    public void Render_DefaultValues_NoResyncJob()
    {
        var rendering = Helm.TemplateOk(Helm.OnEmbeddedStore);

        Assert.Empty(rendering.OfKind("Job"));
        Assert.Empty(rendering.OfKind("CronJob"));
    }

    [Fact]
    public void ResyncJob_Enabled_RunsResyncOnceNamedPerRevisionAndExpires()
    {
        var rendering = Helm.TemplateOk("--set", "redis.host=redis", "--set", "redis.auth=false", "--set", "resync.enabled=true");
        var job = rendering.Single("Job");
        var container = job.Container();

        Assert.Equal("hubsync-hubsync-worker-resync-1", job.Str("metadata", "name"));
        Assert.Equal(["resync"], container.Strings("args"));
        Assert.Equal("Never", job.PodSpec().Str("restartPolicy"));
        Assert.Equal("86400", job.Str("spec", "ttlSecondsAfterFinished"));
        Assert.Equal("2", job.Str("spec", "backoffLimit"));
        Assert.Null(job.Str("spec", "activeDeadlineSeconds"));
        Assert.Equal(rendering.Single("Deployment").Container().Str("image"), container.Str("image"));
        Assert.Equal("true", container.Str("securityContext", "readOnlyRootFilesystem"));
        Assert.NotNull(container.Env("HubSpot__AccessToken")!.Get("valueFrom"));
    }

    [Fact]
    public void ResyncJob_DryRun_PassesTheDryRunFlag()
    {
        var job = Helm.TemplateOk("--set", "redis.host=redis", "--set", "redis.auth=false", "--set", "resync.enabled=true", "--set", "resync.dryRun=true", "--set", "resync.activeDeadlineSeconds=3600").Single("Job");

        Assert.Equal(["resync", "--dry-run"], job.Container().Strings("args"));
        Assert.Equal("3600", job.Str("spec", "activeDeadlineSeconds"));
    }

    [Fact]
    public void ResyncJob_FullnameOverride_NamedAfterFullnameAndRevisionAndKeptByHelm()
    {
        // `helm template` always renders revision 1 (it has no flag for another), so the suffix checked here is .Release.Revision = 1;
        // an upgrade to revision N renders "-resync-N". The keep policy stops the next upgrade from deleting a Job still running.
        var job = Helm.TemplateOk("--set", "redis.host=redis", "--set", "redis.auth=false", "--set", "resync.enabled=true", "--set", "fullnameOverride=crm-sync").Single("Job");

        Assert.Equal("crm-sync-resync-1", job.Str("metadata", "name"));
        Assert.Equal("keep", job.Str("metadata", "annotations", "helm.sh/resource-policy"));
    }

    [Fact]
    public void ResyncCronJob_Schedule_RunsResyncOnScheduleWithoutOverlap()
    {
        var cronJob = Helm.TemplateOk("--set", "redis.host=redis", "--set", "redis.auth=false", "--set", "resync.schedule=0 3 * * 0").Single("CronJob");

        Assert.Equal("0 3 * * 0", cronJob.Str("spec", "schedule"));
        Assert.Equal("Forbid", cronJob.Str("spec", "concurrencyPolicy"));
        Assert.Equal(["resync"], cronJob.Container().Strings("args"));
        Assert.Equal("Never", cronJob.PodSpec().Str("restartPolicy"));
    }

    [Theory]
    [InlineData("replicaCount=-1", "/replicaCount")]
    [InlineData("resync.enabled=yes", "/resync/enabled")]
    [InlineData("resync.ttlSecondsAfterFinished=-5", "/resync/ttlSecondsAfterFinished")]
    [InlineData("image.pullPolicy=Sometimes", "/image/pullPolicy")]
    [InlineData("hubspot.searchRequestsPerSecond=9", "/hubspot/searchRequestsPerSecond")]
    public void Render_BadValue_RejectedBySchemaNamingTheValue(string setting, string path)
    {
        var rendering = Helm.Template(Helm.OnEmbeddedStore, "--set", setting);

        Assert.NotEqual(0, rendering.ExitCode);
        Assert.Contains("schema", rendering.Error, StringComparison.Ordinal);
        Assert.Contains(path, rendering.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_StrictWithProductionValues_Passes()
    {
        var (exitCode, output, error) = Helm.Run(["lint", "--strict", Helm.ChartPath, "-f", Helm.ProductionValues]);

        Assert.True(exitCode == 0, output + error);
    }
}
