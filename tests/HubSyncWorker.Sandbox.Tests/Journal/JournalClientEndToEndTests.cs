using HubSyncWorker.HubSpot;
using HubSyncWorker.HubSpot.Journal;
using HubSyncWorker.Sandbox.Contacts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubSyncWorker.Sandbox.Tests.Journal;

/// <summary>The worker's journal client (<c>AddHubSpotJournalClient</c>) against the sandbox over real HTTP.</summary>
public sealed class JournalClientEndToEndTests
{
    private static Dictionary<string, string?> Values(params (string Name, string? Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    private static ServiceProvider ClientFor(HubSpotSandbox sandbox)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HubSpot:BaseUrl"] = sandbox.BaseUrl,
            ["HubSpot:AllowCustomBaseUrl"] = "true",
            ["HubSpot:AccessToken"] = sandbox.AccessToken,
            ["HubSpotJournal:ClientId"] = sandbox.Options.Journal.ClientId,
            ["HubSpotJournal:ClientSecret"] = sandbox.Options.Journal.ClientSecret,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHubSpotClient(configuration.GetSection(HubSpotOptions.SectionName));
        services.AddHubSpotJournalClient(configuration.GetSection(HubSpotJournalOptions.SectionName));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static JournalSubscriptionRequest[] Wanted(long portalId) =>
    [
        JournalSubscriptionRequest.ContactChanges(portalId, ["lifecyclestage", "email"]),
        JournalSubscriptionRequest.ContactDealAssociations(portalId),
        JournalSubscriptionRequest.ContactPrivacyDeletions(portalId),
    ];

    [Fact]
    public async Task Client_SubscribeChangeAndRead_GetsEveryChangeFromItsOffset()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { EnforceRateLimits = false, TimeProvider = clock }, CancellationToken.None);
        await using var provider = ClientFor(sandbox);
        var client = provider.GetRequiredService<IHubSpotJournalClient>();

        var first = await client.EnsureSubscriptionsAsync(Wanted(sandbox.Options.PortalId), CancellationToken.None);
        var empty = await client.ReadAsync(null, 100, CancellationToken.None);
        var id = sandbox.Contacts.AddContact(Values(("email", "a@example.com")), ChangeOrigin.User());
        var other = sandbox.Contacts.AddContact(Values(("email", "b@example.com")), ChangeOrigin.User());
        sandbox.Contacts.UpdateAsUser(id, Values(("lifecyclestage", "lead")));
        sandbox.Contacts.AssociateDeal(id, 77);
        sandbox.Contacts.Merge(id, other);
        var page = await client.ReadAsync(null, 100, CancellationToken.None);
        var nothingNew = await client.ReadAsync(page.NextOffset, 100, CancellationToken.None);
        sandbox.Contacts.PrivacyDelete(id);
        var later = await client.ReadAsync(page.NextOffset, 100, CancellationToken.None);

        Assert.Equal((3, 0), (first.Upserted, first.Unchanged));
        Assert.True(empty.IsEmpty);
        Assert.Equal(["CREATE", "CREATE", "UPDATE", "ASSOCIATION_ADDED", "MERGE"], page.Entries.SelectMany(e => e.Events).Select(e => e.Action));
        var update = page.Entries[2].Events.Single();
        Assert.Equal((long.Parse(id), "lead", "0-1"), (update.ObjectId, update.PropertyChanges!["lifecyclestage"], update.ObjectTypeId));
        Assert.InRange(update.OccurredAt, clock.GetUtcNow().AddSeconds(-1), clock.GetUtcNow());
        Assert.Equal(sandbox.Journal.LatestOffset, later.NextOffset);
        Assert.True(nothingNew.IsEmpty);
        Assert.Equal(page.NextOffset, nothingNew.NextOffset);
        Assert.Equal("GDPR_DELETE", later.Entries.Single().Events.Single().Action);
    }

    [Fact]
    public async Task EnsureSubscriptions_FromASecondProcess_ChangesNothing()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { EnforceRateLimits = false }, CancellationToken.None);
        await using (var firstRun = ClientFor(sandbox))
        {
            await firstRun.GetRequiredService<IHubSpotJournalClient>().EnsureSubscriptionsAsync(Wanted(sandbox.Options.PortalId), CancellationToken.None);
        }

        var before = sandbox.Journal.Subscriptions;
        await using var restarted = ClientFor(sandbox);
        var again = await restarted.GetRequiredService<IHubSpotJournalClient>().EnsureSubscriptionsAsync(Wanted(sandbox.Options.PortalId), CancellationToken.None);

        Assert.Equal((0, 3), (again.Upserted, again.Unchanged));
        Assert.Equal(before, sandbox.Journal.Subscriptions);
    }

    [Fact]
    public async Task Client_TokenExpiredOnTheSandboxClock_RenewsAndReads_AndAnExpiredOffsetIsTyped()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sandbox = await HubSpotSandbox.StartAsync(new SandboxOptions { EnforceRateLimits = false, TimeProvider = clock }, CancellationToken.None);
        await using var provider = ClientFor(sandbox);
        var client = provider.GetRequiredService<IHubSpotJournalClient>();
        await client.EnsureSubscriptionsAsync(Wanted(sandbox.Options.PortalId), CancellationToken.None);
        sandbox.Contacts.AddContact(Values(("email", "a@example.com")), ChangeOrigin.User());
        var page = await client.ReadAsync(null, 100, CancellationToken.None);

        clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromSeconds(1));
        var expired = await Assert.ThrowsAsync<HubSpotJournalOffsetExpiredException>(() => client.ReadAsync(page.NextOffset, 100, CancellationToken.None));

        Assert.Equal(page.NextOffset, expired.Offset);
        Assert.Equal(2, sandbox.Journal.TokensIssued);
    }

    [Fact]
    public async Task Client_AppRefusedTheJournalScopes_ThrowsScopesRefused()
    {
        await using var sandbox = await HubSpotSandbox.StartAsync(
            new SandboxOptions { EnforceRateLimits = false, Journal = { RefuseJournalScopes = true } }, CancellationToken.None);
        await using var provider = ClientFor(sandbox);

        var refused = await Assert.ThrowsAsync<HubSpotJournalScopesRefusedException>(() =>
            provider.GetRequiredService<IHubSpotJournalClient>().EnsureSubscriptionsAsync(Wanted(sandbox.Options.PortalId), CancellationToken.None));

        Assert.Contains(JournalScopes.Read, refused.Scopes);
    }
}
