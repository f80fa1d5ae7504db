using System.Globalization;
using HubSyncWorker.Qualification;
using HubSyncWorker.Sandbox;
using HubSyncWorker.Sandbox.Contacts;
using QualificationHistoryEntry = HubSyncWorker.Qualification.PropertyHistoryEntry;

namespace HubSyncWorker.Demo;

/// <summary>One thing that happened in the portal during the live minute, and the status the policy says it leads to.</summary>
/// <param name="Offset">When, in the simulated minute.</param>
/// <param name="Kind">A short name (<c>demo request</c>).</param>
/// <param name="Story">What happened, in words.</param>
/// <param name="ContactId">The contact it happened to.</param>
/// <param name="Before">The worker's status before (<c>none</c> for a new contact).</param>
/// <param name="Expected">The status the policy gives the contact afterwards: the write-back the demo waits for.</param>
internal sealed record LiveEvent(TimeSpan Offset, string Kind, string Story, string ContactId, string Before, string Expected);

/// <summary>
/// Plays a minute of a working day in the portal, as people and HubSpot would cause it (form fills, a sales call, a deal, a referral,
/// a bounce), through the sandbox's user-side API so webhooks flow to the worker. Actors are picked among the seeded contacts so each
/// story has the intended outcome; the expected status is computed by the same policy from what the worker will read.
/// </summary>
internal sealed class LiveActivity(HubSpotSandbox sandbox, QualificationPolicy policy, DemoPortal portal, IReadOnlyList<(string Id, DemoContact Contact)> seeded, TimeProvider timeProvider)
{
    private const string ConversionHistory = "recent_conversion_event_name";
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Plays the events, <paramref name="pace"/> apart (the minute compressed into seconds), reporting each as it happens.</summary>
    public async Task<IReadOnlyList<LiveEvent>> PlayAsync(TimeSpan pace, Func<LiveEvent, Task> onEvent, CancellationToken cancellationToken)
    {
        var played = new List<LiveEvent>();
        var steps = Script();
        for (var i = 0; i < steps.Count; i++)
        {
            var happened = steps[i](TimeSpan.FromSeconds(Math.Round(60.0 * i / steps.Count)));
            played.Add(happened);
            await onEvent(happened);
            await Task.Delay(pace, timeProvider, cancellationToken);
        }

        return played;
    }

    private List<Func<TimeSpan, LiveEvent>> Script() =>
    [
        at => NewContact(at, "newsletter", DemoPersona.IcpNurture, "ORGANIC_SEARCH", "Newsletter signup", "subscribes to the newsletter from a blog post"),
        at => Existing(at, "form fill", "lead", "mql", hasConversion: true, personas: [DemoPersona.IcpNurture, DemoPersona.OptedOut],
            Conversion("Ebook: The B2B lead scoring guide", visits: 3, social: true), "downloads the lead-scoring ebook after three more visits"),
        at => Existing(at, "demo request", "mql", "sql", hasConversion: true, personas: [DemoPersona.IcpNurture],
            Conversion("Request a demo", visits: 1), "fills in \"Request a demo\""),
        at => NewContact(at, "competitor", DemoPersona.Competitor, "DIRECT_TRAFFIC", "Free trial signup", "signs up for a free trial with a competitor's address"),
        at => Existing(at, "sales call", "mql", "sql", hasConversion: false, personas: [DemoPersona.IcpNurture],
            new Dictionary<string, string?> { ["hs_lead_status"] = "CONNECTED" }, "a salesperson reaches them and sets the lead status to CONNECTED", changeSource: "CRM_UI"),
        at => NewContact(at, "student", DemoPersona.Student, "SOCIAL_MEDIA", "Request a demo", "asks for a demo from a free-mail address"),
        at => Deal(at),
        at => Existing(at, "budget known", "sql", "opportunity", hasConversion: false, personas: [DemoPersona.IcpHandRaiser],
            new Dictionary<string, string?> { ["budget"] = "8000", ["project_timeline_months"] = "2" }, "sales record a budget of 8,000 and a project within 2 months", changeSource: "CRM_UI"),
        at => Existing(at, "referral", "customer", "evangelist", hasConversion: false, personas: [DemoPersona.Customer],
            new Dictionary<string, string?> { ["referral_count"] = "1" }, "a customer refers a colleague", changeSource: "CRM_UI"),
        at => Existing(at, "hard bounce", "lead", "disqualified", hasConversion: false, personas: [DemoPersona.OutsideIcp, DemoPersona.IcpNurture, DemoPersona.Student],
            new Dictionary<string, string?> { ["hs_email_bad_address"] = "true", ["hs_email_bounce"] = "1" }, "a marketing email bounces hard: the address is invalid", changeSource: "EMAIL"),
        at => Existing(at, "unsubscribe", "mql", "mql", hasConversion: false, personas: [DemoPersona.IcpNurture],
            new Dictionary<string, string?> { ["hs_email_optout"] = "true" }, "an MQL unsubscribes from all email (points removed; no stage goes backwards)", changeSource: "EMAIL"),
    ];

    private Dictionary<string, string?> Conversion(string name, int visits, bool social = false)
    {
        var now = DemoPortal.Epoch(timeProvider.GetUtcNow());
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["recent_conversion_event_name"] = name,
            ["recent_conversion_date"] = now,
            ["hs_analytics_last_visit_timestamp"] = now,
            ["+hs_analytics_num_visits"] = visits.ToString(CultureInfo.InvariantCulture),
            ["+num_conversion_events"] = "1",
        };
        if (social)
        {
            changes["+hs_social_linkedin_clicks"] = "1";
        }

        return changes;
    }

    private LiveEvent NewContact(TimeSpan at, string kind, DemoPersona persona, string source, string conversion, string story)
    {
        var properties = portal.NewProfile(persona, source);
        var now = DemoPortal.Epoch(timeProvider.GetUtcNow());
        properties["num_conversion_events"] = "1";
        properties["first_conversion_event_name"] = conversion;
        properties["recent_conversion_event_name"] = conversion;
        properties["recent_conversion_date"] = now;
        properties["hs_analytics_num_visits"] = "1";
        properties["hs_analytics_last_visit_timestamp"] = now;
        var expected = policy.Evaluate(new ContactSnapshot("new", properties, [conversion]), timeProvider.GetUtcNow()).Status.ToPropertyValue();
        var id = sandbox.Contacts.AddContact(properties, ChangeOrigin.Form(kind.Replace(' ', '-') + "-form"));
        _used.Add(id);
        return new LiveEvent(at, kind, $"{Who(properties)} {story}", id, "none", expected);
    }

    private LiveEvent Existing(TimeSpan at, string kind, string fromStatus, string toStatus, bool hasConversion, DemoPersona[] personas,
        Dictionary<string, string?> change, string story, string changeSource = "FORM")
    {
        foreach (var (id, contact) in seeded)
        {
            if (_used.Contains(id) || !personas.Contains(contact.Persona) || sandbox.Contacts.GetContact(id) is not { Archived: false } current
                || current.Properties.GetValueOrDefault(policy.OutputNames.Status) != fromStatus
                || (hasConversion && !current.Properties.ContainsKey("first_conversion_event_name")))
            {
                continue;
            }

            var values = Apply(current, change);
            if (Predict(current, values, extraDeals: 0) != toStatus)
            {
                continue;
            }

            _used.Add(id);
            var written = values.Where(v => change.ContainsKey(v.Key) || change.ContainsKey("+" + v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
            sandbox.Contacts.UpdateAsUser(id, written, changeSource == "CRM_UI" ? "userId:7" : kind.Replace(' ', '-'), changeSource);
            return new LiveEvent(at, kind, $"{Who(current.Properties!)}: {story}", id, fromStatus, toStatus);
        }

        throw new DemoFailedException($"The generated portal has no {string.Join("/", personas)} contact at status '{fromStatus}' that a {kind} moves to '{toStatus}'; try another --seed or more --contacts.");
    }

    private LiveEvent Deal(TimeSpan at)
    {
        foreach (var (id, contact) in seeded)
        {
            if (_used.Contains(id) || contact.Persona != DemoPersona.IcpHandRaiser || sandbox.Contacts.GetContact(id) is not { Archived: false } current
                || current.Properties.GetValueOrDefault(policy.OutputNames.Status) != "sql")
            {
                continue;
            }

            if (Predict(current, new Dictionary<string, string?>(current.Properties!, StringComparer.Ordinal), extraDeals: 1) != "opportunity")
            {
                continue;
            }

            _used.Add(id);
            sandbox.Contacts.AssociateDeal(id, 9_900_000 + long.Parse(id, CultureInfo.InvariantCulture), ChangeOrigin.User(7));
            return new LiveEvent(at, "deal created", $"{Who(current.Properties!)}: a salesperson creates a deal for them", id, "sql", "opportunity");
        }

        throw new DemoFailedException("The generated portal has no SQL hand-raiser to create a deal for; try another --seed or more --contacts.");
    }

    /// <summary>The contact's values after <paramref name="change"/>; a key <c>+name</c> adds its number to the current value.</summary>
    private static Dictionary<string, string?> Apply(SandboxContact current, Dictionary<string, string?> change)
    {
        var values = new Dictionary<string, string?>(current.Properties!, StringComparer.Ordinal);
        foreach (var (name, value) in change)
        {
            if (name.StartsWith('+'))
            {
                var property = name[1..];
                var now = double.TryParse(values.GetValueOrDefault(property), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : 0;
                values[property] = (now + double.Parse(value!, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                values[name] = value;
            }
        }

        return values;
    }

    /// <summary>The status the worker will decide from what it will read: the values after the change and the conversion history.</summary>
    private string Predict(SandboxContact current, Dictionary<string, string?> values, int extraDeals)
    {
        var now = timeProvider.GetUtcNow();
        var history = sandbox.Contacts.GetHistory(current.Id, ConversionHistory)
            .Select(v => new QualificationHistoryEntry(v.Value, v.Timestamp.ToString("O", CultureInfo.InvariantCulture)))
            .ToList();
        if (values.GetValueOrDefault(ConversionHistory) is { } recent && recent != current.Properties.GetValueOrDefault(ConversionHistory))
        {
            history.Insert(0, new QualificationHistoryEntry(recent, now.ToString("O", CultureInfo.InvariantCulture)));
        }

        if (extraDeals > 0)
        {
            values["num_associated_deals"] = (current.DealIds.Count + extraDeals).ToString(CultureInfo.InvariantCulture);
        }

        var snapshot = ContactSnapshot.FromHubSpot(current.Id, values, new Dictionary<string, IReadOnlyList<QualificationHistoryEntry>> { [ConversionHistory] = history });
        return policy.Evaluate(snapshot, now).Status.ToPropertyValue();
    }

    private static string Who(IReadOnlyDictionary<string, string?> properties) =>
        $"{properties.GetValueOrDefault("firstname")} {properties.GetValueOrDefault("lastname")} ({properties.GetValueOrDefault("jobtitle")}{(properties.GetValueOrDefault("company") is { } company ? " @ " + company : "")})";
}

/// <summary>The demo could not show what it promised; the message says what went wrong.</summary>
internal sealed class DemoFailedException(string message) : Exception(message);
