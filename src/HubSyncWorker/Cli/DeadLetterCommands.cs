using System.Globalization;
using HubSyncWorker.Storage;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Cli;

/// <summary><c>deadletters list [--max N]</c> and <c>deadletters retry [contact-id ...]</c>, against the shared Redis store.</summary>
internal static class DeadLetterCommands
{
    private const string Usage = "Usage: deadletters list [--max 20] | deadletters retry [contact-id ...]";

    public static async Task<int> RunAsync(ParsedCommandLine command, TextWriter stdout, TextWriter stderr)
    {
        var action = command.VerbArguments.Count > 0 ? command.VerbArguments[0] : null;
        var max = 20;
        if (action is not ("list" or "retry")
            || (action == "list" && command.VerbArguments.Count > 1)
            || (command.Flags.GetValueOrDefault("--max") is { } text && (action != "list" || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1)))
        {
            await stderr.WriteLineAsync(Usage + Environment.NewLine + "  --max is a whole number of at least 1, for list only.");
            return WorkerCommands.UsageError;
        }

        using var host = WorkerHost.CreateBuilder(WorkerHostMode.StoreOnly, new WorkerHostSettings { Args = command.ConfigurationArguments }).Build();
        if (host.Services.GetRequiredService<IOptions<RedisOptions>>().Value.UsesEmbeddedStore)
        {
            // The embedded store lives in the running worker's memory: a separate process would see an empty one.
            await stderr.WriteLineAsync("deadletters reads the shared Redis store: set Redis:ConnectionString (Redis__ConnectionString). "
                + "With the embedded store (one replica, no Redis) the dead letters are in the worker's memory: GET /admin/deadletters on the running worker shows them and POST /admin/deadletters/retry retries them.");
            return WorkerCommands.UsageError;
        }

        var store = host.Services.GetRequiredService<IDeadLetterStore>();
        if (action == "list")
        {
            var count = await store.CountAsync(CancellationToken.None);
            var letters = await store.ListAsync(max, CancellationToken.None);
            var held = host.Services.GetRequiredService<IOptions<RedisOptions>>().Value.DeadLetterMaxEntries;
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{count} dead letters recorded (the newest {held} are kept); showing {letters.Count}:"));
            foreach (var letter in letters)
            {
                var properties = string.Join(", ", letter.Properties.Select(p => $"{p.Key}={p.Value}"));
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {letter.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z contact {letter.ContactId} {letter.Category}: {letter.Message}"));
                if (properties.Length > 0)
                {
                    await stdout.WriteLineAsync($"      values: {properties}");
                }
            }

            return WorkerCommands.Success;
        }

        var result = await host.Services.GetRequiredService<DeadLetterRetry>().RetryAsync([.. command.VerbArguments.Skip(1)], CancellationToken.None);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{result.Letters} dead letters retried: {result.ContactsQueued} contacts queued for evaluation again, {result.LettersRemoved} letters removed."));
        if (result.Letters == 0 && command.VerbArguments.Count > 1)
        {
            await stdout.WriteLineAsync("  none of the contacts named has a dead letter held.");
        }

        return WorkerCommands.Success;
    }
}
