using System.Diagnostics;

namespace HubSyncWorker.IntegrationTests.Infrastructure;

/// <summary>
/// Polls a condition against a real server until it holds or a deadline passes. Used only where the behaviour under test is
/// driven by real time inside Redis (key expiry, idle-entry reclaim, reconnection); never as a fixed sleep.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Not true within {timeout.TotalSeconds} s: {what} (last value: {value}).");
            }

            await Task.Delay(PollInterval);
        }
    }

    public static async Task<T> SucceedsAsync<T>(Func<Task<T>> attempt, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception) when (clock.Elapsed < timeout)
            {
                await Task.Delay(PollInterval * 4);
            }
            catch (Exception ex)
            {
                throw new TimeoutException($"Did not succeed within {timeout.TotalSeconds} s: {what}.", ex);
            }
        }
    }
}
