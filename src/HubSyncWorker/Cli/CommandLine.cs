namespace HubSyncWorker.Cli;

/// <summary>A parsed command line: the verb, its own arguments, and the rest (configuration overrides such as <c>--HubSpot:AccessToken=...</c>).</summary>
internal sealed record ParsedCommandLine(string Verb, IReadOnlyList<string> VerbArguments, IReadOnlyDictionary<string, string?> Flags, string[] ConfigurationArguments);

/// <summary>Splits the command line into the verb, its arguments and flags, and the configuration overrides for the host.</summary>
internal static class CommandLine
{
    public const string Usage = """
        HubSyncWorker: keeps HubSpot contacts' lead qualification right.

        Usage: HubSyncWorker [verb] [options] [--Section:Key=value ...]

        Verbs:
          run                                  run the worker: webhook endpoint, work queue, scheduled syncs (default)
          setup                                create the HubSync property group and output properties in HubSpot, then exit
          resync [--dry-run] [--out funnel.json]
                                               run one full resync (waits for one running elsewhere); exit 0 on success;
                                               --out saves the run's funnel for the report verb
          policy check [file] [--hubspot-project <dir>]
                                               validate a qualification policy, print it and its version; warn when the
                                               HubSpot project (default: hubspot/ here) misses a property it reads
          hubspot-project --out <dir> --target-url <https URL> [--app-name <name>] [--policy <file>]
                                               write the HubSpot developer-platform project (static-auth app, exactly the
                                               scopes the worker needs, webhook subscriptions for the policy) to upload
                                               with `hs project upload`
          evaluate --input <contacts.json> [--policy <file>] [--now <time>]
                                               evaluate contacts as HubSpot returns them; one decision per line (JSON)
          demo [--contacts 2000] [--seed 42] [--html artifacts/demo-report.html] [--out funnel.json]
                                               run the worker against a simulated HubSpot portal: resync, live webhooks,
                                               funnel, API usage (no HubSpot account, no Redis); exit 1 if a check fails
          insights [--policy candidate.json] [--sample N] [--max-calls N] [--target-mql-sql-rate 0.3] [--target-mql-volume N]
                   [--html insights.html] [--json insights.json] [--suggest suggested-policy.json]
                                               learn from the portal's history which rules predict SQLs and customers
                                               (each contact as it was when qualified), calibration, suggested thresholds
                                               and points, a candidate policy compared; prints its HubSpot call estimate first
          report --input <funnel.json> [--html <report.html>]
                                               print a saved funnel (contacts per stage, conversion rates per source)
                                               and write it as a self-contained HTML page
          deadletters list [--max 20]          show the writes that failed for good (newest first), from Redis
          deadletters retry [contact-id ...]   queue the dead-lettered contacts (all, or those named) for evaluation again
                                               and remove their letters; a running worker processes them
          help                                 show this text

        Configuration comes from appsettings.json, environment variables (Section__Key) and --Section:Key=value arguments.
        """;

    // Flags that a verb understands; anything else that starts with "--" is a configuration override.
    private static readonly HashSet<string> VerbFlags = new(StringComparer.OrdinalIgnoreCase)
    {
        "--input", "--policy", "--dry-run", "--contacts", "--out", "--html", "--seed", "--now", "--max", "--target-url", "--app-name",
        "--hubspot-project",
        "--sample", "--max-calls", "--target-mql-sql-rate", "--target-mql-volume", "--json", "--suggest",
    };

    // The flags each verb reads: any other is refused (a flag a verb ignores, e.g. deadletters retry --dry-run, would do the real thing).
    private static readonly Dictionary<string, string[]> OptionsOfVerb = new(StringComparer.Ordinal)
    {
        ["run"] = [], ["setup"] = [], ["help"] = [],
        ["policy"] = ["--hubspot-project"],
        ["hubspot-project"] = ["--out", "--target-url", "--app-name", "--policy"],
        ["resync"] = ["--dry-run", "--out"],
        ["evaluate"] = ["--input", "--policy", "--now"],
        ["demo"] = ["--contacts", "--seed", "--html", "--out"],
        ["report"] = ["--input", "--html"],
        ["insights"] = ["--policy", "--sample", "--max-calls", "--target-mql-sql-rate", "--target-mql-volume", "--html", "--json", "--suggest"],
        ["deadletters"] = ["--max"],
    };

    private static readonly HashSet<string> SwitchFlags = new(StringComparer.OrdinalIgnoreCase) { "--dry-run" };

    public static ParsedCommandLine Parse(string[] args)
    {
        var verb = "run";
        var start = 0;
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            verb = args[0].ToLowerInvariant();
            start = 1;
        }
        else if (args.Length > 0 && args[0] is "-h" or "--help")
        {
            verb = "help";
            start = 1;
        }

        var verbArguments = new List<string>();
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var configuration = new List<string>();
        for (var i = start; i < args.Length; i++)
        {
            var arg = args[i];
            var name = arg.Split('=', 2)[0];
            if (VerbFlags.Contains(name))
            {
                if (arg.Contains('=', StringComparison.Ordinal))
                {
                    flags[name] = arg[(name.Length + 1)..];
                }
                else if (SwitchFlags.Contains(name))
                {
                    flags[name] = "true";
                }
                else if (i + 1 < args.Length)
                {
                    flags[name] = args[++i];
                }
                else
                {
                    throw new CommandLineException($"{name} needs a value.");
                }
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) || (arg.StartsWith('/') && arg.Contains('=', StringComparison.Ordinal)))
            {
                // A setting override names a section and a key (--Sync:DryRun=true); anything else is a flag this verb does not
                // have (a typo such as --dryrun must not be ignored: it would run a writing resync). A path such as /tmp/p.json
                // is a verb argument, not a /Key=value setting. --contentRoot is the hosts' own setting (ContentRoot).
                if (!name.Contains(':', StringComparison.Ordinal) && !name.Equals(Startup.ContentRoot.Argument, StringComparison.OrdinalIgnoreCase))
                {
                    throw new CommandLineException($"Unknown option {name}. Options of '{verb}': {(OptionsOfVerb.TryGetValue(verb, out var own) ? (own.Length == 0 ? "none" : string.Join(", ", own)) : string.Join(", ", VerbFlags.Order(StringComparer.Ordinal)))}; settings are given as --Section:Key=value.");
                }

                configuration.Add(arg);
                if (!arg.Contains('=', StringComparison.Ordinal) && i + 1 < args.Length && !args[i + 1].StartsWith('-'))
                {
                    configuration.Add(args[++i]);
                }
            }
            else
            {
                verbArguments.Add(arg);
            }
        }

        if (OptionsOfVerb.TryGetValue(verb, out var allowed) && flags.Keys.FirstOrDefault(f => !allowed.Contains(f, StringComparer.OrdinalIgnoreCase)) is { } stray)
        {
            throw new CommandLineException(allowed.Length == 0
                ? $"{stray} is not an option of '{verb}', which takes none."
                : $"{stray} is not an option of '{verb}'; its options: {string.Join(", ", allowed)}.");
        }

        return new ParsedCommandLine(verb, verbArguments, flags, [.. configuration]);
    }
}

/// <summary>A command line that cannot be understood; the message says why.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
