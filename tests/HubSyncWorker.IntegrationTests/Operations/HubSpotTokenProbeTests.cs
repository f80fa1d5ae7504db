using System.Net;
using HubSyncWorker.Diagnostics;
using HubSyncWorker.HubSpot.Properties;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Refit;

namespace HubSyncWorker.IntegrationTests.Operations;

/// <summary>The token check's cache on an accelerated clock (no HTTP: a recording HubSpot properties API).</summary>
public sealed class HubSpotTokenProbeTests
{
    private static readonly DiagnosticsOptions Settings = new() { HubSpotTokenCheckInterval = TimeSpan.FromMinutes(5) };

    [Fact]
    public async Task CurrentAsync_ProbedRepeatedlyWithinInterval_OneHubSpotCall()
    {
        var api = new RecordingPropertiesApi(HttpStatusCode.OK);
        var time = new FakeTimeProvider();
        var probe = new HubSpotTokenProbe(api, new FixedOptions(Settings), time, NullLogger<HubSpotTokenProbe>.Instance);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(TokenState.Accepted, (await probe.CurrentAsync(default))!.State);
            time.Advance(TimeSpan.FromSeconds(25));
        }

        Assert.Equal(1, api.Calls);
        Assert.Equal(["lifecyclestage"], api.Names.Distinct());
    }

    [Fact]
    public async Task CurrentAsync_TokenRevokedAfterInterval_RejectedOnNextCheck()
    {
        var api = new RecordingPropertiesApi(HttpStatusCode.OK);
        var time = new FakeTimeProvider();
        var probe = new HubSpotTokenProbe(api, new FixedOptions(Settings), time, NullLogger<HubSpotTokenProbe>.Instance);
        Assert.Equal(TokenState.Accepted, (await probe.CurrentAsync(default))!.State);

        api.Status = HttpStatusCode.Unauthorized;
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(TokenState.Accepted, (await probe.CurrentAsync(default))!.State);
        time.Advance(TimeSpan.FromMinutes(1));
        var check = await probe.CurrentAsync(default);

        Assert.Equal(TokenState.Rejected, check!.State);
        Assert.Contains("401", check.Description, StringComparison.Ordinal);
        Assert.Equal(2, api.Calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "Rejected")]
    [InlineData(HttpStatusCode.TooManyRequests, "Unknown")]
    [InlineData(HttpStatusCode.BadGateway, "Unknown")]
    [InlineData(HttpStatusCode.NotFound, "Unknown")]
    public async Task CurrentAsync_HubSpotAnswer_MapsToTokenState(HttpStatusCode status, string expectedState)
    {
        var expected = Enum.Parse<TokenState>(expectedState);
        var probe = new HubSpotTokenProbe(new RecordingPropertiesApi(status), new FixedOptions(Settings), new FakeTimeProvider(), NullLogger<HubSpotTokenProbe>.Instance);

        Assert.Equal(expected, (await probe.CurrentAsync(default))!.State);
    }

    [Fact]
    public async Task CurrentAsync_HubSpotUnreachable_UnknownNotRejected()
    {
        var api = new RecordingPropertiesApi(HttpStatusCode.OK) { Failure = new HttpRequestException("Connection refused") };
        var probe = new HubSpotTokenProbe(api, new FixedOptions(Settings), new FakeTimeProvider(), NullLogger<HubSpotTokenProbe>.Instance);

        var check = await probe.CurrentAsync(default);

        Assert.Equal(TokenState.Unknown, check!.State);
        Assert.Contains("HttpRequestException", check.Description, StringComparison.Ordinal);
    }

    private sealed class RecordingPropertiesApi(HttpStatusCode status) : IHubSpotPropertiesApi
    {
        public HttpStatusCode Status { get; set; } = status;

        public Exception? Failure { get; set; }

        public int Calls { get; private set; }

        public List<string> Names { get; } = [];

        public Task<IApiResponse<HubSpotProperty>> GetAsync(string name, CancellationToken cancellationToken)
        {
            Calls++;
            Names.Add(name);
            if (Failure is not null)
            {
                return Task.FromException<IApiResponse<HubSpotProperty>>(Failure);
            }

            var response = new HttpResponseMessage(Status) { RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://api.hubapi.com/crm/properties/2026-03/contacts/" + name) };
            var content = Status == HttpStatusCode.OK ? new HubSpotProperty { Name = name } : null;
            return Task.FromResult<IApiResponse<HubSpotProperty>>(new ApiResponse<HubSpotProperty>(response, content, new RefitSettings()));
        }

        public Task<IApiResponse<PropertyCollection<HubSpotProperty>>> ListAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IApiResponse<HubSpotProperty>> CreateAsync(PropertyCreate property, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IApiResponse<HubSpotProperty>> UpdateAsync(string name, PropertyUpdate update, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IApiResponse<PropertyCollection<HubSpotPropertyGroup>>> ListGroupsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IApiResponse<HubSpotPropertyGroup>> CreateGroupAsync(PropertyGroupCreate group, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class FixedOptions(DiagnosticsOptions value) : IOptionsMonitor<DiagnosticsOptions>
    {
        public DiagnosticsOptions CurrentValue => value;

        public DiagnosticsOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<DiagnosticsOptions, string?> listener) => null;
    }
}
