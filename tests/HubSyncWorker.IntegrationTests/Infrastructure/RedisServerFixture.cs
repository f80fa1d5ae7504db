using System.Diagnostics;
using System.Text;
using StackExchange.Redis;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port, started once for the "redis" collection, without persistence.
/// Tests can stop and restart it (same port) to simulate an outage. The binary comes from <c>HUBSYNC_REDIS_SERVER</c> or PATH;
/// when it is missing the tests fail with instructions instead of being skipped.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly StringBuilder _output = new();
    private readonly IReadOnlyList<string> _extraArguments;
    private Process? _process;
    private int _port;

    public RedisServerFixture()
        : this([])
    {
    }

    /// <summary>A server of its own, started with extra redis-server arguments (e.g. <c>--maxmemory-policy allkeys-lru</c>).</summary>
    internal RedisServerFixture(IReadOnlyList<string> extraArguments) => _extraArguments = extraArguments;

    /// <summary>Starts a server of its own with <paramref name="extraArguments"/>; the caller disposes it.</summary>
    internal static async Task<RedisServerFixture> StartOwnAsync(params string[] extraArguments)
    {
        var server = new RedisServerFixture(extraArguments);
        await server.InitializeAsync();
        return server;
    }

    /// <summary>The loopback port the server listens on.</summary>
    internal int Port => _port;

    /// <summary>
    /// The connection string for tests that keep Redis up: SE.Redis's usual 5-second timeouts, so a busy CI machine
    /// (every test assembly runs at once on 2 cores) does not turn a slow answer into a failure.
    /// </summary>
    public string ConnectionString =>
        $"127.0.0.1:{_port},abortConnect=false,connectTimeout=5000,syncTimeout=5000,asyncTimeout=5000";

    /// <summary>
    /// Short timeouts for the outage tests, so a stopped server shows up as a failure within about a second instead of a hang.
    /// </summary>
    public string FastFailConnectionString =>
        $"127.0.0.1:{_port},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000,connectRetry=1";

    /// <summary>A key prefix no other test uses, so tests never see each other's keys.</summary>
    public static string NewKeyPrefix() => $"test:{Guid.NewGuid():N}:";

    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString);

    public Task<ConnectionMultiplexer> ConnectFastFailAsync() => ConnectionMultiplexer.ConnectAsync(FastFailConnectionString);

    public Task InitializeAsync()
    {
        _port = Loopback.FreePort();
        return StartAsync();
    }

    public async Task DisposeAsync() => await StopAsync();

    ValueTask IAsyncDisposable.DisposeAsync() => new(StopAsync());

    /// <summary>Starts the server (again) on the same port and returns once it answers PING.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }

        var start = new ProcessStartInfo(FindBinary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
                 }.Concat(_extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (!await Loopback.RedisAnswersPingAsync(_port))
        {
            if (process.HasExited || deadline.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException(
                    $"redis-server did not answer PING on 127.0.0.1:{_port} within {StartTimeout.TotalSeconds} s. Output:\n{Output()}");
            }

            // Polling for a condition with a deadline (the server's start-up), not a fixed sleep.
            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server (as a crash would); keys are gone after a restart since persistence is off.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static string FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable("HUBSYNC_REDIS_SERVER");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"HUBSYNC_REDIS_SERVER points to '{configured}', which does not exist.");
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "redis-server was not found on PATH. The Redis tests need a real server: run scripts/install-test-deps.sh " +
            "(or apt-get install redis-server), or set HUBSYNC_REDIS_SERVER to the binary's path.");
    }



    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}

/// <summary>Every test class that talks to the real Redis joins this collection (one server, classes run one after another).</summary>
[CollectionDefinition("redis")]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>;
