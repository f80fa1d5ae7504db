using System.Globalization;
using HubSyncWorker.Sandbox.Contacts;

namespace HubSyncWorker.Sandbox.Portal;

/// <summary>The opt-in portal with a past: every contact created in the past, its conversions and its lifecycle path at past moments.</summary>
public sealed partial class PortalGenerator
{
    private static readonly string[] StudentTitles = ["Student", "Intern"];
    private static readonly string[] SeniorTitles = ["VP Marketing", "Head of Sales", "Marketing Manager", "Founder", "CTO", "Marketing Director"];
    private static readonly string[] DemoVideoConversions = ["Product video tour", "Webinar replay"];
    private const string NewsletterConversion = "Newsletter signup";

    // Conversions that carry none of the planted signals and no hand-raiser keyword (a demo request before the cut-off would make the
    // default policy call the contact an SQL at its MQL date).
    private static readonly string[] NeutralConversions = ["Ebook: lead scoring", "Whitepaper: marketing automation ROI", "Pricing page form", "Event registration", "Contact us"];

    /// <summary>
    /// Adds <paramref name="count"/> contacts with a past (numbers 0 to count − 1) and returns the truth planted in them. Each contact is
    /// imported with timestamps (<see cref="SeedContact.CreatedAt"/>, <see cref="SeedContact.LaterTimestamps"/>): created up to about 15 months
    /// before <paramref name="now"/> (a lead by its first conversion, else a subscriber), each later conversion and each lifecycle move
    /// (lead → MQL → SQL → opportunity → customer; many leads stop at lead, many MQLs at MQL) at its own moment, so
    /// <c>hs_v2_date_entered_*</c>, <c>createdate</c> and every history are as HubSpot would hold them. Who moves on is drawn from the signals
    /// each contact had at its cut-off (<see cref="PortalHistoryOptions"/>). Deterministic per seed, index and <paramref name="now"/>; a contact's
    /// profile (email, names, company, industry, size, country, source) is that of <see cref="Seed"/>'s contact of the same index, its job title
    /// aside. Sends no webhooks. Deals are not created (opportunity and customer are lifecycle moves only). <paramref name="now"/> must not be
    /// after the store's clock (the latest moment generated is an hour before it).
    /// </summary>
    public PortalTruth SeedWithHistory(SandboxContactStore store, int count, DateTimeOffset now, PortalHistoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        options ??= new PortalHistoryOptions();
        options.Validate();

        // Every moment is now minus whole minutes: whole milliseconds, so the truth's moments equal the stored ones (ISO with milliseconds).
        now = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var seeds = new List<SeedContact>(count);
        var truths = new List<ContactTruth>(count);
        for (var i = 0; i < count; i++)
        {
            var (seed, truth) = ContactWithHistory(i, now, options);
            seeds.Add(seed);
            truths.Add(truth);
        }

        var ids = store.AddContacts(seeds);
        return new PortalTruth(options, now, [.. truths.Select((t, i) => t with { Id = ids[i] })]);
    }

    private (SeedContact Seed, ContactTruth Truth) ContactWithHistory(int index, DateTimeOffset now, PortalHistoryOptions options)
    {
        // Every decision is drawn up front, in a fixed order, from its own stream: changing one rate changes only the contacts it concerns.
        var decide = new Random(StreamSeed(index, 300));
        var (uStudent, uLead, uVideo, uNewsletter, uMql, uSql, uOpportunity, uCustomer, uHindsight, uHindsightKind) =
            (decide.NextDouble(), decide.NextDouble(), decide.NextDouble(), decide.NextDouble(), decide.NextDouble(),
             decide.NextDouble(), decide.NextDouble(), decide.NextDouble(), decide.NextDouble(), decide.NextDouble());
        var random = new Random(StreamSeed(index, 301));

        var initial = Profile(index, now);
        foreach (var name in new[] { "lifecyclestage", "hs_lead_status", "hs_analytics_num_visits", "hs_analytics_last_visit_timestamp" })
        {
            initial.Remove(name);
        }

        var source = initial["hs_analytics_source"]!;
        var student = uStudent < options.StudentShare;
        var title = student ? StudentTitles[random.Next(StudentTitles.Length)]
            : initial.GetValueOrDefault("jobtitle") is { } profileTitle && StudentTitles.Contains(profileTitle) ? SeniorTitles[random.Next(SeniorTitles.Length)]
            : initial.GetValueOrDefault("jobtitle");
        var betterSource = source == options.BetterSource;
        var firstVisits = random.Next(1, 4);
        var visits = firstVisits;

        if (uLead >= options.LeadShare)
        {
            var subscribedAt = now.AddDays(-random.Next(1, 450)).AddMinutes(-random.Next(0, 1440));
            SetTitle(initial, title);
            initial["lifecyclestage"] = "subscriber";
            SetVisits(initial, firstVisits, subscribedAt);
            return (new SeedContact(initial, []) { CreatedAt = subscribedAt },
                new ContactTruth(index, "", subscribedAt, null, null, null, null, null, now, source, null, false, false, student, betterSource, [], null));
        }

        var video = uVideo < options.DemoVideoShare;
        var newsletter = uNewsletter < options.NewsletterShare;
        var names = new List<string>();
        if (video)
        {
            names.Add(DemoVideoConversions[random.Next(DemoVideoConversions.Length)]);
        }

        if (newsletter)
        {
            names.Add(NewsletterConversion);
        }

        names.AddRange(NeutralConversions.OrderBy(_ => random.Next()).Take(random.Next(names.Count == 0 ? 1 : 0, 3)));
        Shuffle(random, names);

        var events = new List<(DateTimeOffset At, Dictionary<string, string?> Values)>();
        var mql = uMql < options.LeadToMqlRate;
        DateTimeOffset created;
        DateTimeOffset? mqlAt = null, sqlAt = null, opportunityAt = null, customerAt = null;
        HindsightChange? hindsight = null;
        if (!mql)
        {
            // Never qualified: the cut-off is today, so its conversions may be spread up to now.
            created = now.AddDays(-random.Next(10, 450)).AddMinutes(-random.Next(0, 1440));
            var span = now.AddHours(-1) - created;
            for (var n = 1; n < names.Count; n++)
            {
                var at = created + Fraction(span, n, names.Count);
                events.Add((at, ConversionSet(n + 1, names[n], at, ref visits)));
            }
        }
        else
        {
            var sql = uSql < options.MqlToSqlChance(video, betterSource, student);
            var opportunity = sql && uOpportunity < options.SqlToOpportunityRate;
            var customer = opportunity && uCustomer < options.SqlToCustomerRate / options.SqlToOpportunityRate;
            var toMql = Days(random, 3, 60);
            var toSql = toMql + Days(random, 2, 45);
            var toOpportunity = toSql + Days(random, 3, 30);
            var toCustomer = toOpportunity + Days(random, 7, 60);
            var toHindsight = toMql + Days(random, 1, 90);
            var last = new[] { toMql, sql ? toSql : TimeSpan.Zero, opportunity ? toOpportunity : TimeSpan.Zero, customer ? toCustomer : TimeSpan.Zero, toHindsight }.Max();
            created = now.AddHours(-1) - last - Days(random, 1, 150);
            mqlAt = created + toMql;
            sqlAt = sql ? created + toSql : null;
            opportunityAt = opportunity ? created + toOpportunity : null;
            customerAt = customer ? created + toCustomer : null;

            // Conversions before the MQL date, strictly: the cut-off sees every one of them.
            for (var n = 1; n < names.Count; n++)
            {
                var at = created + Fraction(toMql, n, names.Count);
                events.Add((at, ConversionSet(n + 1, names[n], at, ref visits)));
            }

            foreach (var (stage, at) in new[] { ("marketingqualifiedlead", mqlAt), ("salesqualifiedlead", sqlAt), ("opportunity", opportunityAt), ("customer", customerAt) })
            {
                if (at is { } moment)
                {
                    events.Add((moment, new Dictionary<string, string?>(StringComparer.Ordinal) { ["lifecyclestage"] = stage }));
                }
            }

            if (uHindsight < options.HindsightShare)
            {
                var changedAt = created + toHindsight;
                var kind = student ? HindsightKind.StudentBecameSenior
                    : video || uHindsightKind < 0.5 ? HindsightKind.SeniorBecameStudent
                    : HindsightKind.VideoAfterCutoff;
                switch (kind)
                {
                    case HindsightKind.VideoAfterCutoff:
                        var watched = DemoVideoConversions[random.Next(DemoVideoConversions.Length)];
                        events.Add((changedAt, ConversionSet(names.Count + 1, watched, changedAt, ref visits)));
                        hindsight = new HindsightChange(kind, changedAt, "recent_conversion_event_name", names[^1], watched);
                        break;
                    case HindsightKind.SeniorBecameStudent:
                        title = SeniorTitles[random.Next(SeniorTitles.Length)];
                        events.Add((changedAt, new Dictionary<string, string?>(StringComparer.Ordinal) { ["jobtitle"] = "Student" }));
                        hindsight = new HindsightChange(kind, changedAt, "jobtitle", title, "Student");
                        break;
                    default:
                        var senior = SeniorTitles[random.Next(SeniorTitles.Length)];
                        events.Add((changedAt, new Dictionary<string, string?>(StringComparer.Ordinal) { ["jobtitle"] = senior }));
                        hindsight = new HindsightChange(kind, changedAt, "jobtitle", title, senior);
                        break;
                }
            }
        }

        SetTitle(initial, title);
        initial["lifecyclestage"] = "lead";
        foreach (var (name, value) in ConversionValues(1, names[0], created))
        {
            initial[name] = value;
        }

        SetVisits(initial, firstVisits, created);
        var ordered = events.OrderBy(e => e.At).ToList();
        var seed = new SeedContact(initial, [.. ordered.Select(e => (IReadOnlyDictionary<string, string?>)e.Values)])
        {
            CreatedAt = created,
            LaterTimestamps = [.. ordered.Select(e => e.At)],
        };
        var truth = new ContactTruth(index, "", created, created, mqlAt, sqlAt, opportunityAt, customerAt, mqlAt ?? now, source, names[0],
            video, newsletter, student, betterSource, names, hindsight);
        return (seed, truth);
    }

    /// <summary><paramref name="n"/>/<paramref name="of"/> of <paramref name="span"/> in whole minutes, so every moment stays a whole millisecond as stored.</summary>
    private static TimeSpan Fraction(TimeSpan span, int n, int of) => TimeSpan.FromMinutes(Math.Floor(span.TotalMinutes * n / of));

    /// <summary>A conversion as HubSpot records it, with the visit it came with (visits count up, the last visit is the conversion's).</summary>
    private static Dictionary<string, string?> ConversionSet(int number, string name, DateTimeOffset at, ref int visits)
    {
        visits++;
        var values = ConversionValues(number, name, at);
        values["hs_analytics_num_visits"] = visits.ToString(CultureInfo.InvariantCulture);
        values["hs_analytics_last_visit_timestamp"] = Iso(at);
        return values;
    }

    private static void SetVisits(Dictionary<string, string?> values, int visits, DateTimeOffset at)
    {
        values["hs_analytics_num_visits"] = visits.ToString(CultureInfo.InvariantCulture);
        values["hs_analytics_last_visit_timestamp"] = Iso(at);
    }

    private static void SetTitle(Dictionary<string, string?> values, string? title)
    {
        if (title is null)
        {
            values.Remove("jobtitle");
        }
        else
        {
            values["jobtitle"] = title;
        }
    }

    private static TimeSpan Days(Random random, int min, int max) => TimeSpan.FromDays(random.Next(min, max)) + TimeSpan.FromMinutes(random.Next(0, 1440));

    private static void Shuffle(Random random, List<string> values)
    {
        for (var i = values.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
