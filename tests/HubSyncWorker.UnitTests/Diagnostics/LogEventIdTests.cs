using System.Reflection;
using Microsoft.Extensions.Logging;

namespace HubSyncWorker.UnitTests.Diagnostics;

public sealed class LogEventIdTests
{
    /// <summary>Operators filter the JSON logs by <c>EventId</c>: one id must mean one message across the worker and its HubSpot client.</summary>
    [Fact]
    public void LoggerMessages_WorkerAndHubSpotClient_EveryEventIdIsUsedOnce()
    {
        Assembly[] assemblies = [typeof(HubSyncWorker.Cli.WorkerCommands).Assembly, typeof(HubSyncWorker.HubSpot.HubSpotOptions).Assembly];
        var messages = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.True(messages.Count > 50, $"only {messages.Count} logger messages found");
        var reused = messages.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}");
        Assert.Empty(reused);
    }
}
