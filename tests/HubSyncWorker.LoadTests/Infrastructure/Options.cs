using System.Globalization;

namespace HubSyncWorker.LoadTests.Infrastructure;

/// <summary>The scenario's <c>--name value</c> options, with defaults.</summary>
internal sealed class ScenarioArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public ScenarioArguments(IEnumerable<string> args)
    {
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (name is not null)
                {
                    _values[name] = "true";
                }

                name = arg[2..];
            }
            else if (name is not null)
            {
                _values[name] = arg;
                name = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{arg}': options are --name value.");
            }
        }

        if (name is not null)
        {
            _values[name] = "true";
        }
    }

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>
    /// Worker configuration to try, e.g. <c>--worker-setting "HubSpot:TenSecondlyRetryDelay=00:00:00.250"</c> (several joined by ';').
    /// </summary>
    public IReadOnlyList<(string Key, string Value)> WorkerSettings() => [.. (String("worker-setting") ?? "")
        .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(pair => pair.Split('=', 2))
        .Select(parts => (parts[0], parts.Length > 1 ? parts[1] : ""))];

    /// <summary>True for <c>--name</c> alone or <c>--name true</c>.</summary>
    public bool Flag(string name) => _values.TryGetValue(name, out var value) && bool.Parse(value);

    public string? String(string name) => _values.GetValueOrDefault(name);

    public string String(string name, string fallback) => _values.GetValueOrDefault(name) ?? fallback;

    public IReadOnlyList<int> Ints(string name, params int[] fallback) =>
        _values.TryGetValue(name, out var value) ? [.. value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))] : fallback;

    public TimeSpan Seconds(string name, double fallback) =>
        TimeSpan.FromSeconds(_values.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback);
}
