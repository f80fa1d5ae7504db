using HubSyncWorker.Cli;
using HubSyncWorker.IntegrationTests.Infrastructure;
using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Abstractions;

namespace HubSyncWorker.IntegrationTests.Operations;

/// <summary><c>deadletters list</c> and <c>deadletters retry</c> as an operator runs them, against a real Redis.</summary>
[Collection("redis")]
public sealed class DeadLetterCommandTests(RedisServerFixture redis)
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task List_LettersInRedis_PrintsTheCountAndTheNewestWithTheirValues()
    {
        var (prefix, store, _) = await SeedAsync();

        var (exit, output, errors) = await RunAsync("deadletters", "list", "--max", "2", $"--Redis:ConnectionString={redis.ConnectionString}", $"--Redis:KeyPrefix={prefix}");

        Assert.Equal((WorkerCommands.Success, ""), (exit, errors));
        var lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("3 dead letters recorded (the newest 10000 are kept); showing 2:", lines[0]);
        Assert.Equal("  2026-03-01 12:02:00Z contact 93 VALIDATION_ERROR: Property values were not valid", lines[1]);
        Assert.Equal("      values: hs_lead_status=NEW", lines[2]);
        Assert.StartsWith("  2026-03-01 12:01:00Z contact 92 ", lines[3], StringComparison.Ordinal);
        Assert.Equal(5, lines.Length);
        Assert.Equal(3, (await store.ListAsync(10, default)).Count);
    }

    [Fact]
    public async Task Retry_NamedContact_QueuesItAndRemovesOnlyItsLetters()
    {
        var (prefix, store, queue) = await SeedAsync();

        var (exit, output, _) = await RunAsync("deadletters", "retry", "91", $"--Redis:ConnectionString={redis.ConnectionString}", $"--Redis:KeyPrefix={prefix}");

        Assert.Equal(WorkerCommands.Success, exit);
        Assert.Equal("1 dead letters retried: 1 contacts queued for evaluation again, 1 letters removed." + Environment.NewLine, output);
        Assert.Equal(["93", "92"], (await store.ListAsync(10, default)).Select(l => l.ContactId));
        var queued = await queue.ReadAsync("test", 10, TimeSpan.Zero, default);
        Assert.Equal([("91", WorkReason.Manual)], queued.Select(q => (q.Item.ContactId, q.Item.Reason)));
    }

    [Fact]
    public async Task Retry_All_QueuesEveryContactOnceAndEmptiesTheList()
    {
        var (prefix, store, queue) = await SeedAsync(extraFor: "92");

        var (exit, output, _) = await RunAsync("deadletters", "retry", $"--Redis:ConnectionString={redis.ConnectionString}", $"--Redis:KeyPrefix={prefix}");

        Assert.Equal(WorkerCommands.Success, exit);
        Assert.StartsWith("4 dead letters retried: 3 contacts queued", output, StringComparison.Ordinal);
        Assert.Empty(await store.ListAsync(10, default));
        Assert.Equal(0, await store.CountAsync(default));
        var queued = await queue.ReadAsync("test", 10, TimeSpan.Zero, default);
        Assert.Equal(["91", "92", "93"], queued.Select(q => q.Item.ContactId).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("deadletters")]
    [InlineData("deadletters", "show")]
    [InlineData("deadletters", "list", "--max", "0")]
    [InlineData("deadletters", "list", "--max", "ten")]
    [InlineData("deadletters", "retry", "--max", "5")]
    public async Task BadArguments_UsageErrorNamingTheForms(params string[] args)
    {
        var (exit, output, errors) = await RunAsync([.. args, $"--Redis:ConnectionString={redis.ConnectionString}"]);

        Assert.Equal((WorkerCommands.UsageError, ""), (exit, output));
        Assert.StartsWith("Usage: deadletters list [--max 20] | deadletters retry [contact-id ...]", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_EmbeddedStore_RefusesAndPointsToTheAdminEndpoint()
    {
        var (exit, _, errors) = await RunAsync("deadletters", "list");

        Assert.Equal(WorkerCommands.UsageError, exit);
        Assert.Contains("set Redis:ConnectionString", errors, StringComparison.Ordinal);
        Assert.Contains("GET /admin/deadletters", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_RedisUnreachable_OneLineErrorAndExitCode1()
    {
        var (exit, _, errors) = await RunAsync("deadletters", "list", $"--Redis:ConnectionString=127.0.0.1:{Loopback.FreePort()},connectTimeout=500");

        Assert.Equal(WorkerCommands.Failure, exit);
        Assert.StartsWith("Redis is unreachable (check Redis:ConnectionString)", errors, StringComparison.Ordinal);
    }

    private async Task<(string Prefix, RedisDeadLetterStore Store, RedisWorkQueue Queue)> SeedAsync(string? extraFor = null)
    {
        var prefix = RedisServerFixture.NewKeyPrefix();
        var connection = await redis.ConnectAsync();
        var options = Options.Create(new RedisOptions { KeyPrefix = prefix });
        var store = new RedisDeadLetterStore(connection, options);
        var queue = new RedisWorkQueue(connection, options, TimeProvider.System, NullLogger<RedisWorkQueue>.Instance);
        for (var i = 1; i <= 3; i++)
        {
            await store.AddAsync(new DeadLetter($"9{i}", new Dictionary<string, string> { ["hs_lead_status"] = "NEW" }, "VALIDATION_ERROR", "Property values were not valid", At.AddMinutes(i - 1)), default);
        }

        if (extraFor is not null)
        {
            await store.AddAsync(new DeadLetter(extraFor, new Dictionary<string, string>(), "REPEATED_FAILURE", "again", At.AddMinutes(5)), default);
        }

        return (prefix, store, queue);
    }

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await WorkerCommands.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
