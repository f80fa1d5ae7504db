using WireMock.Server;

namespace HubSyncWorker.HubSpot.UnitTests.TestSupport;

/// <summary>One WireMock server per test class; each test starts from a clean server (<see cref="Reset"/>).</summary>
public sealed class WireMockFixture : IDisposable
{
    public WireMockServer Server { get; } = WireMockServer.Start();

    public string Url => Server.Url!;

    public void Reset() => Server.Reset();

    public void Dispose() => Server.Stop();
}
