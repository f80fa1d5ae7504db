using HubSyncWorker.LoadTests.Infrastructure;
using HubSyncWorker.LoadTests.Scenarios;

const string Usage = """
    HubSyncWorker.LoadTests <scenario> [--option value ...]   (see docs/benchmarks.md)
      resync-throughput [--contacts 20000] [--budget 100] [--replicas 1|3] [--queue N] [--runs 2] [--timeline]
                        [--worker-budget N] [--worker-setting "Key=Value;Key=Value"]
      resync-passes     [--contacts 20000] [--budget 190] [--seed 7] [--peer <dir>] [--worker-setting "Key=Value;..."]
                        (the worker beside the official-client script in peer/: `npm ci` there first)
      resync-memory     [--contacts 10000,100000]
      webhook-load      [--batches 100000] [--duration 20] [--connections 32] [--threads 2] [--warmup 10]
      webhook-latency   [--duration 60] [--budget 190]
      sandbox --contacts N           (serves a seeded sandbox, prints its URL; used by resync-memory)
      resync --url U --token T --redis R   (one full resync in this process, prints memory figures; used by resync-memory)
    """;

if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var options = new ScenarioArguments(args.Skip(1));
return args[0] switch
{
    "resync-throughput" => await ResyncThroughput.RunAsync(options),
    "resync-passes" => await ResyncPasses.RunAsync(options),
    "resync-memory" => await ResyncMemory.RunAsync(options),
    "sandbox" => await ResyncMemory.ServeSandboxAsync(options),
    "resync" => await ResyncMemory.RunResyncAsync(options),
    "webhook-load" => await WebhookLoad.RunAsync(options),
    "webhook-latency" => await WebhookLatency.RunAsync(options),
    _ => Fail(),
};

int Fail()
{
    Console.Error.WriteLine($"Unknown scenario '{args[0]}'.{Environment.NewLine}{Usage}");
    return 2;
}
