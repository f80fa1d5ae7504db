using System.Text.Json;
using HubSyncWorker.Qualification.Policy;
using Microsoft.Extensions.Configuration;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>Building snapshots from HubSpot records, loading policies, the version and the property lists.</summary>
public sealed class SnapshotAndLoaderTests
{
    private const string Record = """
        {
          "id": "512",
          "properties": { "email": "a@acme.example", "num_conversion_events": "3", "hs_lead_status": null },
          "propertiesWithHistory": {
            "recent_conversion_event_name": [
              { "value": "Request a demo", "timestamp": "2026-02-10T10:00:00.000Z", "sourceType": "FORM" },
              { "value": "Ebook SEO", "timestamp": "2026-01-05T10:00:00.000Z" },
              { "value": "Newsletter", "timestamp": "2025-12-01T10:00:00.000Z" }
            ]
          },
          "associations": { "deals": { "results": [ { "id": "9", "type": "contact_to_deal" } ] } }
        }
        """;

    [Fact]
    public void FromHubSpotJson_Record_PropertiesHistoryOldestFirstAndDeals()
    {
        using var document = JsonDocument.Parse(Record);

        var snapshot = ContactSnapshot.FromHubSpotJson(document.RootElement);

        Assert.Equal("512", snapshot.Id);
        Assert.Equal("a@acme.example", snapshot.Get("email"));
        Assert.Null(snapshot.Get("hs_lead_status"));
        Assert.Equal(["Newsletter", "Ebook SEO", "Request a demo"], snapshot.ConversionNames);
        Assert.Equal(1, snapshot.AssociatedDealCount);
    }

    [Fact]
    public void FromHubSpotJson_NoId_ClearError()
    {
        using var document = JsonDocument.Parse("""{"properties":{}}""");

        var ex = Assert.Throws<FormatException>(() => ContactSnapshot.FromHubSpotJson(document.RootElement));

        Assert.Contains("id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConversionNamesFromHistory_EmptyValuesSkipped()
    {
        var names = ContactSnapshot.ConversionNamesFromHistory([new("B", "1700000000000"), new("", "1690000000000"), new("A", "1600000000000")]);

        Assert.Equal(["A", "B"], names);
    }

    [Fact]
    public void Version_SamePolicyLoadedTwice_SameVersion_ChangedWeight_NewVersion()
    {
        var a = QualificationPolicy.Compile(PolicyLoader.LoadDefault());
        var b = QualificationPolicy.Compile(PolicyLoader.LoadDefault());
        var changed = PolicyLoader.LoadDefault();
        changed.Fit.Rules[0].Points = 30;

        Assert.Equal(a.Version, b.Version);
        Assert.Matches("^[0-9a-f]{12}$", a.Version);
        Assert.NotEqual(a.Version, QualificationPolicy.Compile(changed).Version);
    }

    [Fact]
    public void FromConfiguration_NothingConfigured_EmbeddedDefault()
    {
        var configuration = new ConfigurationBuilder().Build();

        var options = PolicyLoader.FromConfiguration(configuration);

        Assert.Equal(ContactBuilder.DefaultPolicy.Version, PolicyLoader.ComputeVersion(options));
    }

    [Fact]
    public void FromConfiguration_SectionHoldingDefaultPolicy_SameVersionAsJson()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Flatten(PolicyLoader.DefaultPolicyJson, "Qualification")).Build();

        var options = PolicyLoader.FromConfiguration(configuration);

        Assert.Empty(PolicyValidator.Validate(options));
        Assert.Equal(ContactBuilder.DefaultPolicy.Version, PolicyLoader.ComputeVersion(options));
    }

    [Fact]
    public void FromConfiguration_PolicyFile_ReadsTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"policy-{Guid.NewGuid():N}.json");
        var options = PolicyLoader.LoadDefault();
        options.Mql.MinFit = 60;
        File.WriteAllText(path, PolicyLoader.ToJson(options));
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Qualification:PolicyFile", path)]).Build();

            var loaded = PolicyLoader.FromConfiguration(configuration);

            Assert.Equal(60, loaded.Mql.MinFit);
            Assert.Equal(path, loaded.PolicyFile);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Populate_EmptyOptionsFromSection_SameAsLoaded()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Flatten(PolicyLoader.DefaultPolicyJson, "Qualification")).Build();
        var target = new QualificationPolicyOptions();

        PolicyLoader.Populate(target, configuration);

        Assert.Equal(PolicyLoader.ToCanonicalJson(PolicyLoader.LoadDefault()), PolicyLoader.ToCanonicalJson(target));
    }

    [Fact]
    public void FromConfiguration_UnknownKeyInSection_ErrorNamesIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Qualification:Mql:MinFitt", "50")]).Build();

        var ex = Assert.Throws<InvalidOperationException>(() => PolicyLoader.FromConfiguration(configuration));

        Assert.Contains("MinFitt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_UnknownMember_ErrorNamesItsPathAndTheSettingMeant()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson("""{"Mql":{"MinFitt":50}}"""));

        var error = Assert.Single(ex.Errors);
        Assert.Equal(new PolicyError("Qualification:Mql:MinFitt", "50", "is not a setting here; did you mean Qualification:Mql:MinFit?"), error);
    }

    [Theory]
    [InlineData("""{"Mql":{"MinFit":"50"}}""", "Qualification:Mql:MinFit", "50", "must be a whole number, without quotes")]
    [InlineData("""{"Mql":{"MinFit":50.5}}""", "Qualification:Mql:MinFit", "50.5", "must be a whole number, without quotes")]
    [InlineData("""{"Mql":{"MinFit":null}}""", "Qualification:Mql:MinFit", null, "must be a whole number, without quotes, not null")]
    [InlineData("""{"Engagement":{"DecayHalfLifeDays":true}}""", "Qualification:Engagement:DecayHalfLifeDays", "true", "must be a number, without quotes")]
    [InlineData("""{"Lifecycle":{"AllowRegression":"yes"}}""", "Qualification:Lifecycle:AllowRegression", "yes", "must be true or false, without quotes")]
    [InlineData("""{"Lifecycle":{"Property":7}}""", "Qualification:Lifecycle:Property", "7", "must be a text in double quotes")]
    [InlineData("""{"Sql":{"LeadStatuses":"CONNECTED"}}""", "Qualification:Sql:LeadStatuses", "CONNECTED", "must be a list in square brackets: [ ... ]")]
    [InlineData("""{"Fit":{"Rules":[{"Id":"a"},{"Id":"b","Pointz":5}]}}""", "Qualification:Fit:Rules:1:Pointz", "5", "is not a setting here; did you mean Qualification:Fit:Rules:1:Points?")]
    [InlineData("""{"SourceBucket":{"Sources":{"ORGANIC_SEARCH":1}}}""", "Qualification:SourceBucket:Sources:ORGANIC_SEARCH", "1", "must be a text in double quotes")]
    [InlineData("""{"Score":[]}""", "Qualification:Score", "[]", "must be an object in braces: { ... }")]
    public void FromJson_ValueOfTheWrongKind_ErrorNamesItsPathAndWhatIsExpected(string json, string path, string? value, string message)
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson(json));

        Assert.Equal(new PolicyError(path, value, message), Assert.Single(ex.Errors));
    }

    [Fact]
    public void FromJson_SeveralProblems_AllReportedAtOnce()
    {
        var ex = Assert.Throws<PolicyValidationException>(() => PolicyLoader.FromJson("""{"Mql":{"MinFit":"x","MinEngagment":1},"Recycle":{"WindowDays":"30"},"Colour":"red"}"""));

        Assert.Equal(
            ["Qualification:Mql:MinFit", "Qualification:Mql:MinEngagment", "Qualification:Recycle:WindowDays", "Qualification:Colour"],
            ex.Errors.Select(e => e.Path));
    }

    [Fact]
    public void RequiredProperties_DefaultPolicy_InputsOutputsStageAndLeadStatus()
    {
        var required = ContactBuilder.DefaultPolicy.RequiredProperties;

        foreach (var property in new[]
        {
            "jobtitle", "industry", "numemployees", "country", "email", "firstname", "phone", "hs_analytics_num_visits", "hs_email_click",
            "hs_social_linkedin_clicks", "hs_email_optout", "hs_email_bounce", "hs_email_bad_address", "num_conversion_events",
            "hs_analytics_last_visit_timestamp", "recent_conversion_date", "num_associated_deals", "budget", "project_timeline_months",
            "referral_count", "hs_analytics_source", "first_conversion_event_name", "lifecyclestage", "hs_lead_status",
            "hubsync_fit_score", "hubsync_mql_date", "hubsync_below_threshold_since", "hubsync_policy_version",
        })
        {
            Assert.Contains(property, required);
        }

        Assert.Equal(required.Distinct(StringComparer.Ordinal).Count(), required.Count);
        Assert.Equal(["recent_conversion_event_name"], ContactBuilder.DefaultPolicy.HistoryProperties);
    }

    [Fact]
    public void OutputProperties_DefaultPolicy_ValidHubSpotTypePairs()
    {
        var valid = new HashSet<(string, string)> { ("number", "number"), ("string", "text"), ("string", "textarea"), ("enumeration", "select"), ("date", "date") };

        var outputs = ContactBuilder.DefaultPolicy.OutputProperties;

        Assert.All(outputs, p => Assert.Contains((p.Type, p.FieldType), valid));
        Assert.All(outputs, p => Assert.StartsWith("hubsync_", p.Name, StringComparison.Ordinal));
        var status = Assert.Single(outputs, p => p.Name == "hubsync_status");
        Assert.Equal(["contact", "lead", "mql", "sql", "opportunity", "customer", "evangelist", "disqualified", "recycled"], status.Options.Select(o => o.Value));
    }

    [Fact]
    public void OutputProperties_CustomPrefix_AppliedToEveryName()
    {
        var options = PolicyLoader.LoadDefault();
        options.Output.Prefix = "acme_q_";

        var policy = QualificationPolicy.Compile(options);

        Assert.All(policy.OutputProperties, p => Assert.StartsWith("acme_q_", p.Name, StringComparison.Ordinal));
        Assert.Contains("acme_q_score", policy.RequiredProperties);
    }

    private static Dictionary<string, string?> Flatten(string json, string prefix)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        using var document = JsonDocument.Parse(json);
        Walk(document.RootElement, prefix, result);
        return result;

        static void Walk(JsonElement element, string path, Dictionary<string, string?> result)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        Walk(property.Value, $"{path}:{property.Name}", result);
                    }

                    break;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        Walk(item, $"{path}:{i++}", result);
                    }

                    break;
                case JsonValueKind.String:
                    result[path] = element.GetString();
                    break;
                default:
                    result[path] = element.GetRawText();
                    break;
            }
        }
    }
}
