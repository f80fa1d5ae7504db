using System.Text.Json;
using HubSyncWorker.Qualification;
using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Cli;

/// <summary>
/// The <c>policy check [file]</c> and <c>evaluate --input contacts.json [--policy file]</c> verbs. Exit codes: 0 success,
/// 2 invalid policy or input (every problem is printed to stderr, naming its path and value).
/// </summary>
internal static class PolicyCommands
{
    public const int Success = 0;
    public const int InvalidInput = 2;

    /// <summary>
    /// Validates a policy file, or with none the policy the worker would run with this configuration (<c>Qualification:PolicyFile</c>,
    /// the <c>Qualification</c> section, else the embedded default), and prints it as a policy file (stdout; the version on stderr).
    /// With <paramref name="hubSpotProject"/>, warns about the properties the policy reads that its webhook subscriptions miss.
    /// </summary>
    public static async Task<int> CheckAsync(
        string? policyFile, IConfiguration? configuration, TextWriter stdout, TextWriter stderr, CancellationToken ct, ProjectLocation? hubSpotProject = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var (policy, source) = await LoadAsync(policyFile, configuration, stderr, ct);
        if (policy is null)
        {
            return InvalidInput;
        }

        await stdout.WriteLineAsync(EvaluationOutput.PolicyDocument(policy).AsMemory(), ct);
        await stderr.WriteLineAsync($"Policy {source} is valid; version {policy.Version}.".AsMemory(), ct);
        return hubSpotProject is null ? Success : await HubSpotProjectCommand.CheckSubscriptionsAsync(hubSpotProject, policy, policyFile, stderr, ct);
    }

    /// <summary>
    /// The policy file, or with none the policy the worker would run with <paramref name="configuration"/> (or, without one, the
    /// embedded default), and how to name it; null after writing its errors.
    /// </summary>
    internal static async Task<(QualificationPolicy? Policy, string Source)> LoadAsync(string? policyFile, IConfiguration? configuration, TextWriter stderr, CancellationToken ct)
    {
        if (policyFile is not null || configuration is null)
        {
            return (await LoadPolicyAsync(policyFile, stderr, ct), policyFile ?? "(embedded default)");
        }

        var source = DescribeConfigured(configuration);
        try
        {
            return (Policy.PolicyExtensions.LoadPolicy(configuration), source);
        }
        catch (PolicyValidationException ex)
        {
            await WriteErrorsAsync(ex.Errors.Count > 0 ? [.. ex.Errors.Select(e => e.ToString())] : [ex.Message], source, stderr, ct);
            return (null, source);
        }
    }

    /// <summary>One <c>error:</c> line per problem, then their count and the policy they are in.</summary>
    private static async Task WriteErrorsAsync(IReadOnlyList<string> errors, string source, TextWriter stderr, CancellationToken ct)
    {
        foreach (var error in errors)
        {
            await stderr.WriteLineAsync($"error: {error}".AsMemory(), ct);
        }

        await stderr.WriteLineAsync($"{errors.Count} error(s) in policy {source}.".AsMemory(), ct);
    }

    /// <summary>Where the configured policy comes from, in the words of its settings.</summary>
    private static string DescribeConfigured(IConfiguration configuration)
    {
        var section = configuration.GetSection(QualificationPolicyOptions.SectionName);
        var file = section[nameof(QualificationPolicyOptions.PolicyFile)];
        return !string.IsNullOrWhiteSpace(file) ? $"{QualificationPolicyOptions.SectionName}:{nameof(QualificationPolicyOptions.PolicyFile)} = '{file}'"
            : section.GetChildren().Any() ? $"in the {QualificationPolicyOptions.SectionName} section of the configuration"
            : "(embedded default)";
    }

    /// <summary>
    /// Evaluates every contact of a HubSpot export (a list page <c>{"results":[...]}</c> or an array of records) at
    /// <paramref name="now"/> with the policy file, or with none the policy <paramref name="configuration"/> gives (as
    /// <see cref="CheckAsync"/>), and prints one JSON line per contact: decision and the changes a write-back would make.
    /// </summary>
    public static async Task<int> EvaluateAsync(
        string inputFile, string? policyFile, IConfiguration? configuration, DateTimeOffset now, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var (policy, source) = await LoadAsync(policyFile, configuration, stderr, ct);
        if (policy is null)
        {
            return InvalidInput;
        }

        var contacts = await ReadContactsAsync(inputFile, stderr, ct);
        if (contacts is null)
        {
            return InvalidInput;
        }

        foreach (var contact in contacts)
        {
            ct.ThrowIfCancellationRequested();
            var decision = policy.Evaluate(contact, now);
            var plan = policy.ComputeChanges(contact, decision);
            await stdout.WriteLineAsync(EvaluationOutput.DecisionLine(decision, plan).AsMemory(), ct);
        }

        await stderr.WriteLineAsync($"Evaluated {contacts.Count} contact(s) with policy {source}, version {policy.Version}.".AsMemory(), ct);
        return Success;
    }

    private static async Task<QualificationPolicy?> LoadPolicyAsync(string? policyFile, TextWriter stderr, CancellationToken ct)
    {
        QualificationPolicyOptions options;
        try
        {
            options = policyFile is null ? PolicyLoader.LoadDefault() : await PolicyLoader.FromFileAsync(policyFile, ct);
        }
        catch (FileNotFoundException)
        {
            await stderr.WriteLineAsync($"error: policy file '{policyFile}' not found (looked for {Path.GetFullPath(policyFile!)}).".AsMemory(), ct);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: cannot read policy file '{policyFile}': {ex.Message}".AsMemory(), ct);
            return null;
        }
        catch (JsonException ex)
        {
            await stderr.WriteLineAsync($"error: policy file '{policyFile}' is not valid JSON: {ex.Message}".AsMemory(), ct);
            return null;
        }
        catch (PolicyValidationException ex)
        {
            // Members that are no setting and values of the wrong kind, each with its path.
            await WriteErrorsAsync([.. ex.Errors.Select(e => e.ToString())], policyFile ?? "(embedded default)", stderr, ct);
            return null;
        }

        var errors = PolicyValidator.Validate(options);
        if (errors.Count > 0)
        {
            await WriteErrorsAsync([.. errors.Select(e => e.ToString())], policyFile ?? "(embedded default)", stderr, ct);
            return null;
        }

        return QualificationPolicy.Compile(options);
    }

    private static async Task<List<ContactSnapshot>?> ReadContactsAsync(string inputFile, TextWriter stderr, CancellationToken ct)
    {
        try
        {
            await using var stream = File.OpenRead(inputFile);
            using var document = await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { AllowTrailingCommas = true }, ct);
            var root = document.RootElement;
            JsonElement records;
            if (root.ValueKind == JsonValueKind.Array)
            {
                records = root;
            }
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
            {
                records = results;
            }
            else
            {
                await stderr.WriteLineAsync($"error: '{inputFile}' must hold a JSON array of contacts or a list page {{\"results\":[...]}}, not a {root.ValueKind}.".AsMemory(), ct);
                return null;
            }

            var contacts = new List<ContactSnapshot>();
            var index = 0;
            foreach (var record in records.EnumerateArray())
            {
                try
                {
                    contacts.Add(ContactSnapshot.FromHubSpotJson(record));
                }
                catch (FormatException ex)
                {
                    await stderr.WriteLineAsync($"error: '{inputFile}' contact #{index}: {ex.Message}".AsMemory(), ct);
                    return null;
                }

                index++;
            }

            return contacts;
        }
        catch (FileNotFoundException)
        {
            await stderr.WriteLineAsync($"error: input file '{inputFile}' not found (looked for {Path.GetFullPath(inputFile)}).".AsMemory(), ct);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: cannot read input file '{inputFile}': {ex.Message}".AsMemory(), ct);
            return null;
        }
        catch (JsonException ex)
        {
            await stderr.WriteLineAsync($"error: input file '{inputFile}' is not valid JSON: {ex.Message}".AsMemory(), ct);
            return null;
        }
    }
}
