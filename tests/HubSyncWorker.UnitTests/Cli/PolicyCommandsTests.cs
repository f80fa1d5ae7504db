using System.Text.Json;
using HubSyncWorker.Cli;
using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Policy;
using Microsoft.Extensions.Configuration;

namespace HubSyncWorker.UnitTests.Cli;

public sealed class PolicyCommandsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hubsync-cli-" + Guid.NewGuid().ToString("N"));
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public PolicyCommandsTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private const string Export = """
        {
          "results": [
            {
              "id": "101",
              "properties": {
                "firstname": "Claire", "lastname": "Martin", "company": "Acme", "jobtitle": "VP of Marketing",
                "industry": "COMPUTER_SOFTWARE", "numemployees": "200", "country": "France", "email": "claire@acme.example",
                "hs_analytics_num_visits": "4", "hs_social_linkedin_clicks": "1", "num_conversion_events": "1",
                "hs_analytics_last_visit_timestamp": "2026-02-28T09:00:00.000Z", "lifecyclestage": "lead", "hs_lead_status": null
              },
              "propertiesWithHistory": {
                "recent_conversion_event_name": [ { "value": "Newsletter subscription", "timestamp": "2026-02-20T10:00:00.000Z" } ]
              }
            },
            { "id": "102", "properties": { "email": "spy@competitor.example", "lifecyclestage": "lead", "hs_lead_status": "CONNECTED" } }
          ],
          "paging": { "next": { "after": "102" } }
        }
        """;

    [Fact]
    public async Task CheckAsync_DefaultPolicy_PrintsPolicyAndVersion_ExitZero()
    {
        var code = await PolicyCommands.CheckAsync(null, null, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(0, code);
        using var output = JsonDocument.Parse(_stdout.ToString());
        Assert.Equal(50, output.RootElement.GetProperty("Mql").GetProperty("MinFit").GetInt32());
        Assert.Contains($"Policy (embedded default) is valid; version {QualificationPolicy.CompileDefault().Version}.", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_ItsOwnOutputSavedAsAFile_IsAValidPolicyWithTheSameVersion()
    {
        // The documented way to start a policy of one's own: `policy check > policy.json`, edit, point Qualification:PolicyFile at it.
        await PolicyCommands.CheckAsync(null, null, _stdout, _stderr, CancellationToken.None);
        var saved = WriteFile("policy.json", _stdout.ToString());
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await PolicyCommands.CheckAsync(saved, null, stdout, stderr, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Contains($"version {QualificationPolicy.CompileDefault().Version}.", stderr.ToString(), StringComparison.Ordinal);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Qualification:PolicyFile"] = saved }).Build();
        Assert.Equal(QualificationPolicy.CompileDefault().Version, HubSyncWorker.Policy.PolicyExtensions.LoadPolicy(configuration).Version);
    }

    [Fact]
    public async Task CheckAsync_SettingsFile_ReadsThePolicyInside()
    {
        var policy = PolicyLoader.ToJson(PolicyLoader.LoadDefault());
        var path = WriteFile("settings.json", $$"""{ "Logging": { "LogLevel": { "Default": "Information" } }, /* a comment */ "Qualification": {{policy}} }""");

        var code = await PolicyCommands.CheckAsync(path, null, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Contains($"version {QualificationPolicy.CompileDefault().Version}.", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_NoFileButAConfiguredPolicyFile_ChecksThatOneAndNamesTheSetting()
    {
        var options = PolicyLoader.LoadDefault();
        options.Mql.MinFit = 150;
        var bad = WriteFile("configured.json", PolicyLoader.ToJson(options));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Qualification:PolicyFile"] = bad }).Build();

        var code = await PolicyCommands.CheckAsync(null, configuration, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("Qualification:Mql:MinFit = '150'", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains($"1 error(s) in policy Qualification:PolicyFile = '{bad}'.", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(_stdout.ToString());
    }

    [Fact]
    public async Task CheckAsync_NoFileButQualificationKeysInConfiguration_ReportsThemAsAWholePolicy()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Qualification:Fit:Rules:1:Points"] = "30" }).Build();

        var code = await PolicyCommands.CheckAsync(null, configuration, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("a policy in configuration is the whole policy", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("in policy in the Qualification section of the configuration.", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_InvalidPolicy_EveryErrorWithPathAndValue_ExitTwo()
    {
        var options = PolicyLoader.LoadDefault();
        options.Engagement.Rules[3].Kind = "Sometimes";
        options.Mql.MinFit = 150;
        var path = WriteFile("bad.json", PolicyLoader.ToJson(options));

        var code = await PolicyCommands.CheckAsync(path, null, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(2, code);
        var errors = _stderr.ToString();
        Assert.Contains("Qualification:Engagement:Rules:3:Kind = 'Sometimes'", errors, StringComparison.Ordinal);
        Assert.Contains("Qualification:Mql:MinFit = '150'", errors, StringComparison.Ordinal);
        Assert.Contains("2 error(s)", errors, StringComparison.Ordinal);
        Assert.Empty(_stdout.ToString());
    }

    [Fact]
    public async Task CheckAsync_MisspeltMembersAndValuesOfTheWrongKind_EveryOneWithItsPath_ExitTwo()
    {
        var policy = System.Text.Json.Nodes.JsonNode.Parse(PolicyLoader.DefaultPolicyJson)!;
        policy["Mql"]!["MinEngagment"] = 40;
        policy["Mql"]!["MinFit"] = "sixty";
        policy["Fit"]!["Rules"]![1]!["Pointz"] = 5;
        policy["Sql"]!["LeadStatuses"] = "CONNECTED";
        var file = WriteFile("typos.json", policy.ToJsonString());

        var code = await PolicyCommands.CheckAsync(file, null, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(2, code);
        var errors = _stderr.ToString();
        Assert.Contains("error: Qualification:Mql:MinEngagment = '40': is not a setting here; did you mean Qualification:Mql:MinEngagement?", errors, StringComparison.Ordinal);
        Assert.Contains("error: Qualification:Mql:MinFit = 'sixty': must be a whole number, without quotes", errors, StringComparison.Ordinal);
        Assert.Contains("error: Qualification:Fit:Rules:1:Pointz = '5': is not a setting here; did you mean Qualification:Fit:Rules:1:Points?", errors, StringComparison.Ordinal);
        Assert.Contains("error: Qualification:Sql:LeadStatuses = 'CONNECTED': must be a list in square brackets: [ ... ]", errors, StringComparison.Ordinal);
        Assert.Contains("4 error(s) in policy", errors, StringComparison.Ordinal);
        Assert.Empty(_stdout.ToString());
    }

    [Fact]
    public async Task CheckAsync_SettingsFileWithoutAQualificationSection_SaysSo()
    {
        var file = WriteFile("appsettings.json", """{ "Logging": { "LogLevel": { "Default": "Information" } }, "AllowedHosts": "*" }""");

        var code = await PolicyCommands.CheckAsync(file, null, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("the document holds no policy setting (its members: Logging, AllowedHosts)", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("a settings file a Qualification section", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_MalformedOrMissingFile_ClearError_ExitTwo()
    {
        var malformed = WriteFile("broken.json", "{ \"Mql\": ");

        var codeMalformed = await PolicyCommands.CheckAsync(malformed, null, _stdout, _stderr, CancellationToken.None);
        var codeMissing = await PolicyCommands.CheckAsync(Path.Combine(_directory, "nope.json"), null, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(2, codeMalformed);
        Assert.Equal(2, codeMissing);
        Assert.Contains("is not valid JSON", _stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("not found", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluateAsync_ListPage_OneJsonLinePerContact()
    {
        var input = WriteFile("contacts.json", Export);

        var code = await PolicyCommands.EvaluateAsync(input, null, null, Now, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(0, code);
        var lines = _stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var mql = JsonDocument.Parse(lines[0]);
        Assert.Equal("101", mql.RootElement.GetProperty("id").GetString());
        Assert.Equal("mql", mql.RootElement.GetProperty("status").GetString());
        Assert.Equal("marketingqualifiedlead", mql.RootElement.GetProperty("stage").GetString());
        Assert.Equal("OPEN", mql.RootElement.GetProperty("leadStatus").GetString());
        Assert.Equal("mql", mql.RootElement.GetProperty("changes").GetProperty("hubsync_status").GetString());
        Assert.StartsWith("MQL", mql.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        using var competitor = JsonDocument.Parse(lines[1]);
        Assert.Equal("disqualified", competitor.RootElement.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, competitor.RootElement.GetProperty("leadStatus").ValueKind);
    }

    [Fact]
    public async Task EvaluateAsync_ArrayOfRecordsWithCustomPolicy_UsesThePolicy()
    {
        var options = PolicyLoader.LoadDefault();
        options.Mql.MinEngagement = 90;
        var policy = WriteFile("strict.json", PolicyLoader.ToJson(options));
        using (var export = JsonDocument.Parse(Export))
        {
            WriteFile("array.json", export.RootElement.GetProperty("results").GetRawText());
        }

        var code = await PolicyCommands.EvaluateAsync(Path.Combine(_directory, "array.json"), policy, null, Now, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(0, code);
        using var first = JsonDocument.Parse(_stdout.ToString().Split('\n')[0]);
        Assert.Equal("lead", first.RootElement.GetProperty("status").GetString());
        Assert.Equal(QualificationPolicy.Compile(options).Version, first.RootElement.GetProperty("policyVersion").GetString());
    }

    [Fact]
    public async Task EvaluateAsync_TheDocumentedSampleContacts_AnMqlALeadADisqualifiedAndAnSql()
    {
        // docs/examples/contacts.json, the file the policy guide tells a marketer to start from.
        var input = Path.Combine(AppContext.BaseDirectory, "examples", "contacts.json");

        var code = await PolicyCommands.EvaluateAsync(input, null, null, new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), _stdout, _stderr, CancellationToken.None);

        Assert.Equal(0, code);
        var statuses = _stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => { using var d = JsonDocument.Parse(line); return d.RootElement.GetProperty("status").GetString(); });
        Assert.Equal(["mql", "lead", "disqualified", "sql"], statuses);
    }

    [Fact]
    public async Task EvaluateAsync_NoPolicyFlag_UsesThePolicyTheConfigurationNames()
    {
        // As the worker would: Qualification:PolicyFile, not the embedded default.
        var options = PolicyLoader.LoadDefault();
        options.Mql.MinEngagement = 90;
        var policy = WriteFile("configured.json", PolicyLoader.ToJson(options));
        var input = WriteFile("export.json", Export);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Qualification:PolicyFile"] = policy,
        }).Build();

        var code = await PolicyCommands.EvaluateAsync(input, null, configuration, Now, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(0, code);
        using var first = JsonDocument.Parse(_stdout.ToString().Split('\n')[0]);
        Assert.Equal(QualificationPolicy.Compile(options).Version, first.RootElement.GetProperty("policyVersion").GetString());
        Assert.Contains($"with policy Qualification:PolicyFile = '{policy}'", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all", "is not valid JSON")]
    [InlineData("{\"paging\":{}}", "must hold a JSON array of contacts")]
    [InlineData("[{\"properties\":{}}]", "contact #0")]
    public async Task EvaluateAsync_BadInput_ClearError_ExitTwo(string content, string expected)
    {
        var input = WriteFile("input.json", content);

        var code = await PolicyCommands.EvaluateAsync(input, null, null, Now, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains(expected, _stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(_stdout.ToString());
    }

    [Fact]
    public async Task EvaluateAsync_MissingInputFile_ExitTwo()
    {
        var code = await PolicyCommands.EvaluateAsync(Path.Combine(_directory, "missing.json"), null, null, Now, _stdout, _stderr, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("not found", _stderr.ToString(), StringComparison.Ordinal);
    }
}
