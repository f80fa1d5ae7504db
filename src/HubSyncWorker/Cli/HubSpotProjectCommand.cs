using HubSyncWorker.Qualification;
using HubSyncWorker.Reporting;
using HubSyncWorker.Webhooks;

namespace HubSyncWorker.Cli;

/// <summary>Where <c>policy check</c> looks for the HubSpot project, and whether the user named it (then it must be there).</summary>
internal sealed record ProjectLocation(string Directory, bool Explicit);

/// <summary>
/// The <c>hubspot-project --out dir [--target-url url] [--app-name name] [--policy file]</c> verb: writes the HubSpot developer-platform
/// project for the configured (or given) policy, and the subscription check <c>policy check</c> runs on such a project.
/// Exit codes: 0 written, 2 a bad argument or an invalid policy, 1 a file that cannot be written.
/// </summary>
internal static class HubSpotProjectCommand
{
    public const string Usage = "Usage: hubspot-project --out <dir> --target-url <https URL of the webhook endpoint> [--app-name <name>] [--policy <policy.json>]";

    /// <summary>The project folder <c>policy check</c> reads when not told: <c>hubspot/</c> in the content root, where the settings are read.</summary>
    public const string DefaultFolder = "hubspot";

    public static async Task<int> RunAsync(ParsedCommandLine command, TextWriter stdout, TextWriter stderr)
    {
        if (command.VerbArguments.Count > 0 || command.Flags.GetValueOrDefault("--out") is not { Length: > 0 } outDirectory)
        {
            await stderr.WriteLineAsync(command.VerbArguments.Count > 0 ? $"Unexpected argument '{command.VerbArguments[0]}'. {Usage}" : Usage);
            return WorkerCommands.UsageError;
        }

        var appName = command.Flags.GetValueOrDefault("--app-name") ?? HubSpotProject.DefaultAppName;
        if (HubSpotProject.CheckAppName(appName) is { } badName)
        {
            await stderr.WriteLineAsync($"--app-name {badName} (HubSpot's rule for an app name); got '{appName}'.");
            return WorkerCommands.UsageError;
        }

        var configuration = WorkerHost.Configuration(command.ConfigurationArguments);
        var publicUrl = configuration[$"{WebhookOptions.SectionName}:{nameof(WebhookOptions.PublicUrl)}"];
        var (flag, urlText) = command.Flags.GetValueOrDefault("--target-url") is { } given
            ? ("--target-url", given)
            : ($"{WebhookOptions.SectionName}:{nameof(WebhookOptions.PublicUrl)}", publicUrl);
        if (string.IsNullOrWhiteSpace(urlText))
        {
            await stderr.WriteLineAsync($"--target-url is required (the public https URL HubSpot posts webhooks to, e.g. {HubSpotProject.PlaceholderTargetUrl}); "
                + $"without it, {WebhookOptions.SectionName}:{nameof(WebhookOptions.PublicUrl)} is used, and it is not set. {Usage}");
            return WorkerCommands.UsageError;
        }

        if (CheckTargetUrl(urlText) is not { } targetUrl)
        {
            await stderr.WriteLineAsync($"{flag} must be an absolute https URL (http only for localhost) without a query string or fragment, "
                + $"e.g. {HubSpotProject.PlaceholderTargetUrl}; got '{urlText}'.");
            return WorkerCommands.UsageError;
        }

        var policyFile = command.Flags.GetValueOrDefault("--policy");
        var (policy, source) = await PolicyCommands.LoadAsync(policyFile, policyFile is null ? configuration : null, stderr, CancellationToken.None);
        if (policy is null)
        {
            return WorkerCommands.UsageError;
        }

        var files = HubSpotProject.Generate(policy, targetUrl, appName);
        foreach (var file in files)
        {
            await OutputFile.WriteAllTextAsync(Path.Combine(outDirectory, file.RelativePath), file.Content, CancellationToken.None);
        }

        await WriteSummaryAsync(stdout, outDirectory, appName, targetUrl, policy, source);
        var webhookPath = configuration[$"{WebhookOptions.SectionName}:{nameof(WebhookOptions.Path)}"] ?? new WebhookOptions().Path;
        await WriteUrlNotesAsync(stderr, webhookPath, targetUrl, publicUrl);
        return WorkerCommands.Success;
    }

    /// <summary>The URL when HubSpot can post to it and the worker can check its signature: absolute https (http on loopback), no query, no fragment.</summary>
    internal static Uri? CheckTargetUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo)
            ? uri
            : null;

    /// <summary>
    /// Warns on stderr when the project's subscriptions miss a property the policy reads (HubSpot would not tell the worker about its
    /// changes), naming each and the command that regenerates the files. Never fails: a missing subscription delays a change until the
    /// incremental sync; only a project the user named that cannot be read is an error (exit 2).
    /// </summary>
    public static async Task<int> CheckSubscriptionsAsync(ProjectLocation location, QualificationPolicy policy, string? policyFile, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(policy);
        var shown = Shown(location.Directory);
        if (!location.Explicit && !Directory.Exists(location.Directory))
        {
            await stderr.WriteLineAsync($"note: no HubSpot project in {Path.GetFullPath(location.Directory)}; webhook subscriptions not checked (--hubspot-project <dir> names one).".AsMemory(), ct);
            return WorkerCommands.Success;
        }

        ProjectSubscriptions subscriptions;
        try
        {
            subscriptions = await HubSpotProject.ReadSubscriptionsAsync(location.Directory, ct);
        }
        catch (HubSpotProjectException ex)
        {
            await stderr.WriteLineAsync($"{(location.Explicit ? "error" : "warning")}: HubSpot project {shown}: {ex.Message}; webhook subscriptions not checked.".AsMemory(), ct);
            return location.Explicit ? WorkerCommands.UsageError : WorkerCommands.Success;
        }

        var watched = HubSpotProject.WatchedProperties(policy);
        var missing = watched.Except(subscriptions.Properties, StringComparer.Ordinal).ToList();
        var extra = subscriptions.Properties.Except(watched, StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            await stderr.WriteLineAsync($"HubSpot project {shown} subscribes to changes of every property the policy reads ({watched.Count}).".AsMemory(), ct);
        }
        else
        {
            await stderr.WriteLineAsync(($"warning: HubSpot project {shown} has no property-change subscription for {missing.Count} propert{(missing.Count == 1 ? "y" : "ies")} "
                + "the policy reads; HubSpot will not send their changes (the incremental sync picks them up later):").AsMemory(), ct);
            foreach (var property in missing)
            {
                await stderr.WriteLineAsync($"  - {property}".AsMemory(), ct);
            }

            var targetUrl = subscriptions.TargetUrl ?? "<the webhook URL>";
            var policyArgument = policyFile is null ? "" : $" --policy {policyFile}";
            await stderr.WriteLineAsync(($"  regenerate it, then upload it: HubSyncWorker hubspot-project --out {shown} --target-url {targetUrl}{policyArgument}"
                + $" && (cd {shown} && hs project upload)").AsMemory(), ct);
        }

        if (extra.Count > 0)
        {
            await stderr.WriteLineAsync($"note: it also subscribes to {extra.Count} propert{(extra.Count == 1 ? "y" : "ies")} the policy does not read (their events are ignored): {string.Join(", ", extra)}.".AsMemory(), ct);
        }

        return WorkerCommands.Success;
    }

    private static async Task WriteSummaryAsync(TextWriter stdout, string outDirectory, string appName, Uri targetUrl, QualificationPolicy policy, string source)
    {
        var watched = HubSpotProject.WatchedProperties(policy);
        await stdout.WriteLineAsync($"HubSpot project '{HubSpotProject.ProjectName(appName)}' (developer platform {HubSpotProject.PlatformVersion}) written to {Shown(outDirectory)}:");
        await stdout.WriteLineAsync($"  {HubSpotProject.ProjectFileName}");
        await stdout.WriteLineAsync($"  {HubSpotProject.AppFile}: app '{appName}', static auth, private distribution, scopes {string.Join(", ", HubSpotProject.RequiredScopes)}");
        await stdout.WriteLineAsync($"  {HubSpotProject.WebhooksFile}: {targetUrl.AbsoluteUri}; contact {string.Join(", ", HubSpotProject.ContactEvents)}, "
            + $"contact.privacyDeletion, and changes of the {watched.Count} properties read by policy {source}, version {policy.Version}");
        await stdout.WriteLineAsync($"Next: cd {Shown(outDirectory)} && hs project upload; install the app in your HubSpot account; set HubSpot__AccessToken "
            + "to its static access token and Webhooks__ClientSecret to its client secret (hubspot/README.md).");
    }

    /// <summary>Mistakes that make every delivery fail the signature check or miss the endpoint; notes, since a proxy may rewrite paths.</summary>
    private static async Task WriteUrlNotesAsync(TextWriter stderr, string path, Uri targetUrl, string? publicUrl)
    {
        if (!string.IsNullOrWhiteSpace(publicUrl))
        {
            if (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var configured) || configured.AbsoluteUri != targetUrl.AbsoluteUri)
            {
                await stderr.WriteLineAsync($"note: {WebhookOptions.SectionName}:{nameof(WebhookOptions.PublicUrl)} is '{publicUrl}': the worker checks signatures "
                    + $"against it, so it must be the target URL ({targetUrl.AbsoluteUri}), or every delivery is refused.");
            }

            return;
        }

        if (!string.Equals(targetUrl.AbsolutePath, path, StringComparison.Ordinal))
        {
            await stderr.WriteLineAsync($"note: the worker serves webhooks at {WebhookOptions.SectionName}:{nameof(WebhookOptions.Path)} = '{path}', not '{targetUrl.AbsolutePath}'; "
                + $"behind a proxy that rewrites the path, set {WebhookOptions.SectionName}:{nameof(WebhookOptions.PublicUrl)} to the target URL.");
        }
    }

    /// <summary>A folder as the user would type it: relative to the current directory when inside it, with a final '/'.</summary>
    private static string Shown(string directory)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), directory);
        var shown = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? Path.GetFullPath(directory) : relative;
        return shown.Replace('\\', '/').TrimEnd('/') + "/";
    }
}
