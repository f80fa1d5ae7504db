using System.Globalization;
using HubSyncWorker.HubSpot;
using HubSyncWorker.Qualification;
using HubSyncWorker.Sync;
using Microsoft.Extensions.Logging.Abstractions;

namespace HubSyncWorker.UnitTests.Sync;

/// <summary>The incremental sync evaluates search results only when a search can ask for every property the policy reads.</summary>
public sealed class IncrementalSearchPropertiesTests
{
    [Fact]
    public void EvaluatedProperties_DefaultPolicy_FitsHubSpotsSearchBodyWithEveryPropertyItReads()
    {
        var policy = QualificationPolicy.CompileDefault();
        var reader = new ContactSnapshotReader(System.Reflection.DispatchProxy.Create<IHubSpotCrmClient, UnusedClient>(), policy, NullLogger<ContactSnapshotReader>.Instance);

        var properties = IncrementalSync.EvaluatedProperties(reader.Properties, NullLogger.Instance);

        Assert.NotNull(properties);
        Assert.Subset(new HashSet<string>(properties), new HashSet<string>(reader.Properties));
        Assert.Contains("lastmodifieddate", properties);
        Assert.Contains("hs_object_id", properties);
    }

    [Fact]
    public void EvaluatedProperties_PolicyReadingTooManyPropertiesForOneSearch_QueuesInstead()
    {
        var many = Enumerable.Range(0, 150).Select(i => string.Create(CultureInfo.InvariantCulture, $"custom_signal_property_{i}")).ToList();

        Assert.Null(IncrementalSync.EvaluatedProperties(many, NullLogger.Instance));
    }

    /// <summary>No HubSpot call is made. Not sealed: DispatchProxy derives from it.</summary>
#pragma warning disable CA1852
    private class UnusedClient : System.Reflection.DispatchProxy
#pragma warning restore CA1852
    {
        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"No HubSpot call expected ({targetMethod?.Name}).");
    }
}
