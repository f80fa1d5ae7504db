using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Engagements;
using HubSyncWorker.HubSpot.Handoff;
using HubSyncWorker.HubSpot.Leads;
using HubSyncWorker.Sandbox.Leads;
using HubSyncWorker.Sandbox.Owners;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HubSyncWorker.Sandbox.Tests.Leads;

/// <summary>The worker's handoff client against the strict sandbox over real HTTP: what the next session's handoff will rely on.</summary>
public sealed class HandoffClientOnSandboxTests
{
    [Theory]
    [InlineData("2026-03")]
    [InlineData("2026-09")]
    [InlineData("v3")]
    public async Task Handoff_CreateThenSalesQualifies_TheClientSeesOneOpenLeadThenNone(string version)
    {
        await using var session = await SandboxSession.StartAsync(o => o.EnforceRateLimits = true);
        var contactId = LeadEndpointTests.AddContact(session);
        session.Sandbox.Leads.DefineProperty("hubsync_handoff_reason");
        await using var services = Client(session.Sandbox, version);
        var client = services.GetRequiredService<IHubSpotHandoffClient>();
        var owner = (await client.ListActiveOwnersAsync(default))[1];

        var created = await client.CreateLeadAsync(new LeadToCreate
        {
            ContactId = contactId,
            Name = "Jane Doe",
            OwnerId = owner.Id,
            Properties = new Dictionary<string, string> { ["hubsync_handoff_reason"] = "MQL" },
        }, default);
        var openRightAfter = await client.FindOpenLeadsForContactAsync(contactId, ["hs_lead_name"], default);
        session.Sandbox.Leads.MoveToStage(created.Id, SandboxLeadPipeline.Qualified, owner.Id);
        var openAfterQualified = await client.FindOpenLeadsForContactAsync(contactId, [], default);
        var read = await client.ReadLeadsAsync([created.Id], ["hs_pipeline_stage"], ["hs_pipeline_stage"], default);

        Assert.Equal((created.Id, "Jane Doe", owner.Id), (Assert.Single(openRightAfter).Id, openRightAfter[0].Name, openRightAfter[0].OwnerId));
        Assert.Empty(openAfterQualified);
        Assert.Equal([HubSpotLeadIds.QualifiedStageId, HubSpotLeadIds.NewStageId], Assert.Single(read.Found).StageHistory.Select(h => h.Value));
        Assert.Equal("MQL", session.Sandbox.Leads.Get(created.Id)!.Properties["hubsync_handoff_reason"]);
    }

    [Fact]
    public async Task CreateLeadAsync_PortalWithoutLeads_ThrowsLeadsUnavailableAndTheTaskFallbackWorks()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = LeadEndpointTests.AddContact(session);
        session.Sandbox.Leads.ObjectAvailable = false;
        await using var services = Client(session.Sandbox, "2026-03");
        var client = services.GetRequiredService<IHubSpotHandoffClient>();

        await Assert.ThrowsAsync<HubSpotLeadsUnavailableException>(() => client.CreateLeadAsync(new LeadToCreate { ContactId = contactId, Name = "X" }, default));
        await Assert.ThrowsAsync<HubSpotLeadsUnavailableException>(() => client.FindOpenLeadsForContactAsync(contactId, [], default));
        var task = await client.CreateTaskAsync(new TaskToCreate
        {
            ContactId = contactId,
            OwnerId = SandboxOwners.DefaultOwnerIds[0],
            Subject = "Call the new MQL",
            DueAt = new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero),
        }, default);

        Assert.Equal(task.Id, Assert.Single(session.Sandbox.Tasks.ForContact(contactId)).Id);
        Assert.Equal("2026-12-08T09:00:00.000Z", session.Sandbox.Tasks.Get(task.Id)!.Properties["hs_timestamp"]);
    }

    [Fact]
    public async Task CreateLeadAsync_StageOutsideThePipeline_IsRefusedWithHubSpotsValidationError()
    {
        await using var session = await SandboxSession.StartAsync();
        var contactId = LeadEndpointTests.AddContact(session);
        await using var services = Client(session.Sandbox, "2026-03");
        var client = services.GetRequiredService<IHubSpotHandoffClient>();

        var error = await Assert.ThrowsAsync<HubSpot.Errors.HubSpotApiException>(() =>
            client.CreateLeadAsync(new LeadToCreate { ContactId = contactId, Name = "X", StageId = "appointmentscheduled" }, default));

        Assert.Equal(("VALIDATION_ERROR", System.Net.HttpStatusCode.BadRequest), (error.Category, error.StatusCode));
        Assert.IsNotType<HubSpotLeadsUnavailableException>(error);
        Assert.Empty(session.Sandbox.Leads.ForContact(contactId));
    }

    private static ServiceProvider Client(HubSpotSandbox sandbox, string version)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HubSpot:BaseUrl"] = sandbox.BaseUrl,
            ["HubSpot:AllowCustomBaseUrl"] = "true",
            ["HubSpot:AccessToken"] = sandbox.AccessToken,
            ["HubSpot:ApiVersion"] = version,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHubSpotClient(configuration.GetSection(HubSpotOptions.SectionName));
        services.AddHubSpotHandoffClients();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
