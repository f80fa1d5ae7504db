using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HubSyncWorker.Cli;
using HubSyncWorker.Qualification;

namespace HubSyncWorker.UnitTests.Cli;

/// <summary>
/// The <c>hubspot-project</c> verb, the committed <c>hubspot/</c> folder, and the subscription check of <c>policy check</c>.
/// No HubSpot CLI and no network: the files are checked against the shape HubSpot documents (see <see cref="HubSpotProject"/>).
/// </summary>
public sealed partial class HubSpotProjectTests : IDisposable
{
    private const string TargetUrl = "https://hubsync.example.com/webhooks/hubspot";
    private static readonly string[] GeneratedFiles = [HubSpotProject.ProjectFileName, HubSpotProject.AppFile, HubSpotProject.WebhooksFile];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hubsync-project-" + Guid.NewGuid().ToString("N"));
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public HubSpotProjectTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "HubSyncWorker.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"HubSyncWorker.sln not found above {AppContext.BaseDirectory}.");
        }
    }

    private static string CommittedProject => Path.Combine(RepositoryRoot, "hubspot");

    private string Out(string name = "project") => Path.Combine(_directory, name);

    private Task<int> RunAsync(params string[] args) => WorkerCommands.RunAsync(args, _stdout, _stderr);

    /// <summary>A policy file: the built-in policy with its first fit rule reading <paramref name="property"/> instead of its own.</summary>
    private string PolicyReading(string property)
    {
        var policy = JsonNode.Parse(EvaluationOutput.PolicyDocument(QualificationPolicy.CompileDefault()))!;
        policy["Fit"]!["Rules"]![0]!["Property"] = property;
        var path = Path.Combine(_directory, "policy.json");
        File.WriteAllText(path, policy.ToJsonString());
        return path;
    }

    [Fact]
    public void CommittedProject_DefaultPolicy_IsByteForByteWhatTheVerbGenerates()
    {
        // Regenerate with: dotnet run --project src/HubSyncWorker -- hubspot-project --out hubspot --target-url <the placeholder below>
        var generated = HubSpotProject.Generate(QualificationPolicy.CompileDefault(), new Uri(HubSpotProject.PlaceholderTargetUrl), HubSpotProject.DefaultAppName);

        foreach (var file in generated)
        {
            var committed = File.ReadAllBytes(Path.Combine(CommittedProject, file.RelativePath));
            Assert.True(committed.AsSpan().SequenceEqual(System.Text.Encoding.UTF8.GetBytes(file.Content)),
                $"hubspot/{file.RelativePath} differs from what `hubspot-project` writes for the built-in policy; regenerate it.");
        }

        // A stale component (an old webhooks file under another name) would be uploaded with the rest.
        var present = Directory.GetFiles(CommittedProject, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(CommittedProject, f).Replace('\\', '/')).Order(StringComparer.Ordinal);
        Assert.Equal(GeneratedFiles.Order(StringComparer.Ordinal), present);
    }

    [Fact]
    public void CommittedProject_Files_HaveHubSpotsDocumentedShape()
    {
        using var project = JsonDocument.Parse(File.ReadAllText(Path.Combine(CommittedProject, HubSpotProject.ProjectFileName)));
        using var app = JsonDocument.Parse(File.ReadAllText(Path.Combine(CommittedProject, HubSpotProject.AppFile)));
        using var webhooks = JsonDocument.Parse(File.ReadAllText(Path.Combine(CommittedProject, HubSpotProject.WebhooksFile)));

        Assert.NotEmpty(String(project.RootElement, "name"));
        Assert.Equal("src", String(project.RootElement, "srcDir"));
        Assert.Matches(PlatformVersionPattern(), String(project.RootElement, "platformVersion"));

        // Every component: uid (unique in the project, <= 64 of [A-Za-z0-9_.-]), type (= its folder), config.
        Assert.Equal("app", String(app.RootElement, "type"));
        Assert.Equal("webhooks", String(webhooks.RootElement, "type"));
        Assert.Matches(UidPattern(), String(app.RootElement, "uid"));
        Assert.Matches(UidPattern(), String(webhooks.RootElement, "uid"));
        Assert.NotEqual(String(app.RootElement, "uid"), String(webhooks.RootElement, "uid"));

        var config = Member(app.RootElement, "config", JsonValueKind.Object);
        var name = String(config, "name");
        Assert.InRange(name.Length, 1, 200);
        Assert.Equal(name.Trim(), name);
        Assert.InRange(String(config, "description").Length, 1, 8192);
        Assert.Equal("private", String(config, "distribution"));
        var auth = Member(config, "auth", JsonValueKind.Object);
        Assert.Equal("static", String(auth, "type"));
        Assert.False(auth.TryGetProperty("redirectUrls", out _), "redirect URLs are for OAuth apps");
        Assert.Equal(
            ["crm.objects.contacts.read", "crm.objects.contacts.write", "crm.schemas.contacts.read", "crm.schemas.contacts.write"],
            Member(auth, "requiredScopes", JsonValueKind.Array).EnumerateArray().Select(s => s.GetString()));

        var hooks = Member(webhooks.RootElement, "config", JsonValueKind.Object);
        var settings = Member(hooks, "settings", JsonValueKind.Object);
        Assert.Equal(HubSpotProject.PlaceholderTargetUrl, String(settings, "targetUrl"));
        Assert.Equal(10, Member(settings, "maxConcurrentRequests", JsonValueKind.Number).GetInt32());
        var subscriptions = Member(hooks, "subscriptions", JsonValueKind.Object);
        foreach (var list in subscriptions.EnumerateObject())
        {
            Assert.Contains(list.Name, new[] { "crmObjects", "legacyCrmObjects", "hubEvents" });
            foreach (var subscription in Member(subscriptions, list.Name, JsonValueKind.Array).EnumerateArray())
            {
                var type = String(subscription, "subscriptionType");
                Assert.Equal(JsonValueKind.True, Member(subscription, "active", JsonValueKind.True).ValueKind);
                if (list.Name == "crmObjects")
                {
                    Assert.StartsWith("object.", type, StringComparison.Ordinal);
                    Assert.Equal("contact", String(subscription, "objectType"));
                }

                Assert.Equal(type.EndsWith(".propertyChange", StringComparison.Ordinal), subscription.TryGetProperty("propertyName", out _));
            }
        }

        var crm = subscriptions.GetProperty("crmObjects").EnumerateArray().Select(s => String(s, "subscriptionType")).ToList();
        Assert.Subset(crm.ToHashSet(), new HashSet<string> { "object.creation", "object.deletion", "object.merge", "object.restore", "object.associationChange" });
        Assert.Equal(["contact.privacyDeletion"], subscriptions.GetProperty("hubEvents").EnumerateArray().Select(s => String(s, "subscriptionType")));
    }

    [Fact]
    public void WatchedProperties_DefaultPolicy_EveryPropertyItReadsButItsOwnOutputs()
    {
        var policy = QualificationPolicy.CompileDefault();
        var outputs = policy.OutputProperties.Select(p => p.Name).ToHashSet();

        var watched = HubSpotProject.WatchedProperties(policy);

        Assert.Equal(policy.RequiredProperties.Concat(policy.HistoryProperties).Where(p => !outputs.Contains(p)).Distinct().Order(StringComparer.Ordinal), watched);
        Assert.Contains("jobtitle", watched);
        Assert.Contains("recent_conversion_event_name", watched);
        Assert.DoesNotContain(watched, outputs.Contains);
    }

    [Fact]
    public async Task RunAsync_HubSpotProject_WritesTheThreeFilesForTheTargetUrl_ExitZero()
    {
        var exit = await RunAsync("hubspot-project", "--out", Out(), "--target-url", "https://crm-sync.acme.example/webhooks/hubspot");

        Assert.Equal(WorkerCommands.Success, exit);
        Assert.All(GeneratedFiles, f => Assert.True(File.Exists(Path.Combine(Out(), f)), f));
        using var webhooks = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out(), HubSpotProject.WebhooksFile)));
        Assert.Equal("https://crm-sync.acme.example/webhooks/hubspot", webhooks.RootElement.GetProperty("config").GetProperty("settings").GetProperty("targetUrl").GetString());
        Assert.Contains("hs project upload", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HubSpotProjectTwice_SameBytes()
    {
        await RunAsync("hubspot-project", "--out", Out("a"), "--target-url", TargetUrl, "--app-name", "Sales & Marketing (staging)");
        await RunAsync("hubspot-project", "--out", Out("b"), "--target-url", TargetUrl, "--app-name", "Sales & Marketing (staging)");

        foreach (var file in GeneratedFiles)
        {
            var text = File.ReadAllText(Path.Combine(Out("a"), file));
            Assert.Equal(text, File.ReadAllText(Path.Combine(Out("b"), file)));
            Assert.EndsWith("}\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        }

        using var app = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out("a"), HubSpotProject.AppFile)));
        Assert.Equal("Sales & Marketing (staging)", app.RootElement.GetProperty("config").GetProperty("name").GetString());
        Assert.Contains("\"name\": \"Sales & Marketing (staging)\"", File.ReadAllText(Path.Combine(Out("a"), HubSpotProject.AppFile)), StringComparison.Ordinal);
        using var project = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out("a"), HubSpotProject.ProjectFileName)));
        Assert.Equal("sales-marketing-staging", project.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task RunAsync_PolicyReadingAnotherProperty_SubscribesToItsChanges()
    {
        var policy = PolicyReading("hs_persona_custom");

        var exit = await RunAsync("hubspot-project", "--out", Out(), "--target-url", TargetUrl, "--policy", policy);

        Assert.Equal(WorkerCommands.Success, exit);
        var subscriptions = await HubSpotProject.ReadSubscriptionsAsync(Out(), CancellationToken.None);
        Assert.Contains("hs_persona_custom", subscriptions.Properties);
        var options = await Qualification.Policy.PolicyLoader.FromFileAsync(policy, CancellationToken.None);
        Assert.Equal(HubSpotProject.WatchedProperties(QualificationPolicy.Compile(options)), subscriptions.Properties);
    }

    [Theory]
    [InlineData("http://hubsync.example.com/webhooks/hubspot")]
    [InlineData("/webhooks/hubspot")]
    [InlineData("hubsync.example.com/webhooks/hubspot")]
    [InlineData("https://hubsync.example.com/webhooks/hubspot?key=1")]
    [InlineData("ftp://hubsync.example.com/webhooks/hubspot")]
    public async Task RunAsync_TargetUrlNotHttps_RefusedNamingTheFlag_ExitTwo(string url)
    {
        var exit = await RunAsync("hubspot-project", "--out", Out(), "--target-url", url);

        Assert.Equal(WorkerCommands.UsageError, exit);
        Assert.Contains($"--target-url must be an absolute https URL (http only for localhost)", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains(url, _stderr.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out()));
    }

    [Theory]
    [InlineData("http://localhost:8080/webhooks/hubspot")]
    [InlineData("http://127.0.0.1:8080/webhooks/hubspot")]
    public async Task RunAsync_HttpOnLoopback_Accepted(string url)
    {
        var exit = await RunAsync("hubspot-project", "--out", Out(), "--target-url", url);

        Assert.Equal(WorkerCommands.Success, exit);
    }

    [Fact]
    public async Task RunAsync_NoTargetUrl_UsesWebhooksPublicUrl()
    {
        var exit = await RunAsync("hubspot-project", "--out", Out(), "--Webhooks:PublicUrl=https://hooks.acme.example/webhooks/hubspot");

        Assert.Equal(WorkerCommands.Success, exit);
        var subscriptions = await HubSpotProject.ReadSubscriptionsAsync(Out(), CancellationToken.None);
        Assert.Equal("https://hooks.acme.example/webhooks/hubspot", subscriptions.TargetUrl);
    }

    [Fact]
    public async Task RunAsync_NoTargetUrlNorPublicUrl_UsageErrorNamingTheFlag()
    {
        var exit = await RunAsync("hubspot-project", "--out", Out());

        Assert.Equal(WorkerCommands.UsageError, exit);
        Assert.Contains("--target-url is required", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TargetUrlOtherThanPublicUrl_NotesTheSignatureWouldFail()
    {
        var exit = await RunAsync("hubspot-project", "--out", Out(), "--target-url", TargetUrl, "--Webhooks:PublicUrl=https://other.example/webhooks/hubspot");

        Assert.Equal(WorkerCommands.Success, exit);
        Assert.Contains("note: Webhooks:PublicUrl is 'https://other.example/webhooks/hubspot'", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoOut_UsageError()
    {
        var exit = await RunAsync("hubspot-project", "--target-url", TargetUrl);

        Assert.Equal(WorkerCommands.UsageError, exit);
        Assert.Contains(HubSpotProjectCommand.Usage, _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InvalidPolicy_ExitTwoWithItsErrors()
    {
        var policy = Path.Combine(_directory, "bad.json");
        File.WriteAllText(policy, """{ "Fit": { "Rules": [ { "Id": "x", "Kind": "Sometimes" } ] } }""");

        var exit = await RunAsync("hubspot-project", "--out", Out(), "--target-url", TargetUrl, "--policy", policy);

        Assert.Equal(WorkerCommands.UsageError, exit);
        Assert.Contains("error:", _stderr.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out()));
    }

    [Fact]
    public async Task PolicyCheck_ProjectMissingAProperty_WarnsNamingItAndTheRegenerateCommand_ExitZero()
    {
        await RunAsync("hubspot-project", "--out", Out(), "--target-url", "https://crm-sync.acme.example/webhooks/hubspot");
        var policy = PolicyReading("hs_persona_custom");
        _stderr.GetStringBuilder().Clear();

        var exit = await RunAsync("policy", "check", policy, "--hubspot-project", Out());

        Assert.Equal(WorkerCommands.Success, exit);
        var errors = _stderr.ToString();
        Assert.Contains("warning: HubSpot project", errors, StringComparison.Ordinal);
        Assert.Contains("has no property-change subscription for 1 property the policy reads", errors, StringComparison.Ordinal);
        Assert.Contains("  - hs_persona_custom", errors, StringComparison.Ordinal);
        Assert.Contains($"hubspot-project --out {Out().Replace('\\', '/')}/ --target-url https://crm-sync.acme.example/webhooks/hubspot --policy {policy}", errors, StringComparison.Ordinal);
        Assert.Contains("hs project upload", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyCheck_CommittedProjectAndBuiltInPolicy_EveryPropertyCovered()
    {
        var exit = await RunAsync("policy", "check", "--hubspot-project", CommittedProject);

        Assert.Equal(WorkerCommands.Success, exit);
        Assert.Contains("subscribes to changes of every property the policy reads", _stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("warning", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyCheck_InactiveOrClassicSubscriptions_OnlyActiveOnesCount()
    {
        await RunAsync("hubspot-project", "--out", Out(), "--target-url", TargetUrl);
        var file = Path.Combine(Out(), HubSpotProject.WebhooksFile);
        var webhooks = JsonNode.Parse(File.ReadAllText(file))!;
        var crm = webhooks["config"]!["subscriptions"]!["crmObjects"]!.AsArray();
        var jobtitle = crm.Single(s => (string?)s!["propertyName"] == "jobtitle")!;
        jobtitle["active"] = false;
        var email = crm.Single(s => (string?)s!["propertyName"] == "email")!;
        crm.Remove(email);
        webhooks["config"]!["subscriptions"]!["legacyCrmObjects"]!.AsArray().Add(JsonNode.Parse("""{ "subscriptionType": "contact.propertyChange", "propertyName": "email", "active": true }"""));
        File.WriteAllText(file, webhooks.ToJsonString());

        var exit = await RunAsync("policy", "check", "--hubspot-project", Out());

        Assert.Equal(WorkerCommands.Success, exit);
        Assert.Contains("  - jobtitle", _stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("  - email", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyCheck_NamedProjectMissing_ErrorExitTwo()
    {
        var exit = await RunAsync("policy", "check", "--hubspot-project", Out("nowhere"));

        Assert.Equal(WorkerCommands.UsageError, exit);
        Assert.Contains("error: HubSpot project", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("no webhook component", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckSubscriptions_DefaultFolderAbsent_NoteOnly_ExitZero()
    {
        var exit = await HubSpotProjectCommand.CheckSubscriptionsAsync(
            new ProjectLocation(Out("absent"), Explicit: false), QualificationPolicy.CompileDefault(), null, _stderr, CancellationToken.None);

        Assert.Equal(WorkerCommands.Success, exit);
        Assert.StartsWith("note: no HubSpot project in", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckSubscriptions_DefaultFolderWithBrokenJson_WarningOnly_ExitZero()
    {
        Directory.CreateDirectory(Path.Combine(Out(), "src", "app", "webhooks"));
        File.WriteAllText(Path.Combine(Out(), HubSpotProject.WebhooksFile), "{ not json");

        var exit = await HubSpotProjectCommand.CheckSubscriptionsAsync(
            new ProjectLocation(Out(), Explicit: false), QualificationPolicy.CompileDefault(), null, _stderr, CancellationToken.None);

        Assert.Equal(WorkerCommands.Success, exit);
        Assert.Contains("is not valid JSON", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HubSpotProjectFlagOnAnotherVerb_IsRefused()
    {
        var ex = Assert.Throws<CommandLineException>(() => CommandLine.Parse(["evaluate", "--input", "c.json", "--target-url", TargetUrl]));

        Assert.Contains("--target-url is not an option of 'evaluate'", ex.Message, StringComparison.Ordinal);
    }

    private static JsonElement Member(JsonElement element, string name, JsonValueKind kind)
    {
        Assert.True(element.TryGetProperty(name, out var value), $"missing required member '{name}'");
        Assert.Equal(kind, value.ValueKind);
        return value;
    }

    private static string String(JsonElement element, string name) => Member(element, name, JsonValueKind.String).GetString()!;

    [GeneratedRegex(@"^\d{4}\.\d{1,2}$")]
    private static partial Regex PlatformVersionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}$")]
    private static partial Regex UidPattern();
}
