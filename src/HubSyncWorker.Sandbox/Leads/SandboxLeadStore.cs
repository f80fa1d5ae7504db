using System.Globalization;
using HubSyncWorker.Sandbox.Contacts;
using HubSyncWorker.Sandbox.Crm;
using HubSyncWorker.Sandbox.Owners;

namespace HubSyncWorker.Sandbox.Leads;

/// <summary>A copy of a lead: its values (calculated ones included), associated contact ids and dates.</summary>
public sealed record SandboxLead(string Id, IReadOnlyDictionary<string, string> Properties, IReadOnlyList<string> ContactIds, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary><c>hs_pipeline_stage</c>.</summary>
    public string? Stage => Properties.GetValueOrDefault("hs_pipeline_stage");

    /// <summary><c>hubspot_owner_id</c>; null when unassigned.</summary>
    public string? OwnerId => Properties.GetValueOrDefault("hubspot_owner_id");

    /// <summary>False in Qualified and Disqualified (<c>hs_lead_is_open</c>).</summary>
    public bool IsOpen => Properties.GetValueOrDefault("hs_lead_is_open") == "true";
}

/// <summary>
/// The portal's Leads object (Sales Hub): leads tied to contacts, in the default lead pipeline, with owners and stage history. Change
/// leads here as a salesperson would (<see cref="MoveToStage"/>, <see cref="Disqualify"/>); read what the worker created
/// (<see cref="ForContact"/>). Set <see cref="ObjectAvailable"/> to false for a portal without the Leads object. Thread-safe.
/// </summary>
/// <remarks>No webhooks fire for lead changes: the sandbox's webhook outbox only carries contact events (see README).</remarks>
public sealed class SandboxLeadStore
{
    private readonly LeadRules _rules;
    private readonly SandboxContactStore _contacts;
    private readonly SandboxOwners _owners;
    private volatile bool _available = true;

    internal SandboxLeadStore(SandboxContactStore contacts, SandboxOwners owners, TimeProvider time, TimeSpan indexLag)
    {
        _contacts = contacts;
        _owners = owners;
        _rules = new LeadRules(owners);
        Table = new CrmObjectTable(_rules, time, indexLag, firstId: 18_000_000_001);
    }

    /// <summary>
    /// Whether the portal has the Leads object (Sales Hub Professional or Enterprise). Default true. When false, every leads endpoint and
    /// every association read involving leads answers 403 <c>MISSING_SCOPES</c>, as HubSpot answers an app that could not be granted the
    /// <c>crm.objects.leads.*</c> scopes (they need a paid Sales Hub seat); tasks and owners keep working.
    /// </summary>
    public bool ObjectAvailable
    {
        get => _available;
        set => _available = value;
    }

    /// <summary>Leads not archived.</summary>
    public int Count => Table.Count;

    internal CrmObjectTable Table { get; }

    internal SandboxContactStore Contacts => _contacts;

    /// <summary>Declares a custom lead property (e.g. the worker's handoff reason) so writes to it are accepted.</summary>
    public void DefineProperty(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _rules.Define(name);
    }

    internal bool PropertyExists(string name) => _rules.Exists(name);

    /// <summary>
    /// Creates a lead for <paramref name="contactId"/> as a salesperson would in HubSpot (default pipeline, New stage unless given).
    /// Invalid values or an unknown contact: <see cref="ArgumentException"/>.
    /// </summary>
    public string Create(string contactId, string name, string? ownerId = null, IReadOnlyDictionary<string, string?>? properties = null)
    {
        var contact = ContactKey(contactId) ?? throw new ArgumentException($"Contact {contactId} does not exist.", nameof(contactId));
        var input = new Dictionary<string, string?>(properties ?? new Dictionary<string, string?>(), StringComparer.Ordinal) { ["hs_lead_name"] = name };
        if (ownerId is not null)
        {
            input["hubspot_owner_id"] = ownerId;
        }

        var (view, errors) = Table.Create(input, [contact], UserOrigin(ownerId));
        return view?.IdText ?? throw Invalid(errors);
    }

    /// <summary>A copy of the lead; null when unknown or archived.</summary>
    public SandboxLead? Get(string leadId) => Table.Get(leadId, []) is { } view ? ToLead(view) : null;

    /// <summary>The leads associated with a contact, oldest first (archived ones left out).</summary>
    public IReadOnlyList<SandboxLead> ForContact(string contactId) =>
        long.TryParse(contactId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? [.. Table.ForContact(id).Select(ToLead)] : [];

    /// <summary>Every version of a lead property, newest first (e.g. <c>hs_pipeline_stage</c>: when the lead left its first stage).</summary>
    public IReadOnlyList<SandboxPropertyVersion> GetHistory(string leadId, string propertyName) => Table.History(leadId, propertyName);

    /// <summary>
    /// Moves a lead to <paramref name="stageId"/> as <paramref name="asOwnerId"/> would in the sales workspace (source <c>CRM_UI</c>,
    /// <c>userId:</c> of that owner, or <c>userId:1</c>). Recorded in the stage's history with the time. Unknown stage or lead:
    /// <see cref="ArgumentException"/>.
    /// </summary>
    public void MoveToStage(string leadId, string stageId, string? asOwnerId = null) =>
        UpdateAsUser(leadId, new Dictionary<string, string?> { ["hs_pipeline_stage"] = stageId }, asOwnerId);

    /// <summary>Moves a lead to Disqualified with <paramref name="reason"/> in <c>hs_lead_disqualification_reason</c>, as a salesperson would.</summary>
    public void Disqualify(string leadId, string reason, string? asOwnerId = null) =>
        UpdateAsUser(leadId, new Dictionary<string, string?>
        {
            ["hs_pipeline_stage"] = SandboxLeadPipeline.Disqualified,
            ["hs_lead_disqualification_reason"] = reason,
        }, asOwnerId);

    /// <summary>Changes lead values as a person in HubSpot would. Invalid values or an unknown lead: <see cref="ArgumentException"/>.</summary>
    public void UpdateAsUser(string leadId, IReadOnlyDictionary<string, string?> properties, string? asOwnerId = null)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var (found, _, errors) = Table.Update(leadId, properties, UserOrigin(asOwnerId));
        if (!found)
        {
            throw new ArgumentException($"Lead {leadId} does not exist.", nameof(leadId));
        }

        if (errors.Count > 0)
        {
            throw Invalid(errors);
        }
    }

    /// <summary>Archives a lead as a person would. False when unknown or already archived.</summary>
    public bool Archive(string leadId) => Table.Archive(leadId);

    /// <summary>The contact id as a number when the contact exists and is not archived.</summary>
    internal long? ContactKey(string contactId) =>
        _contacts.GetContact(contactId) is { Archived: false } contact ? long.Parse(contact.Id, CultureInfo.InvariantCulture) : null;

    internal static SandboxLead ToLead(CrmObjectView view) => new(
        view.IdText,
        view.State.Values,
        [.. view.State.ContactIds.Select(c => c.ToString(CultureInfo.InvariantCulture))],
        view.CreatedAt,
        view.State.UpdatedAt);

    private ChangeOrigin UserOrigin(string? ownerId) =>
        ChangeOrigin.User(ownerId is not null && _owners.Get(ownerId) is { } owner ? owner.UserId : 1);

    private static ArgumentException Invalid(List<CrmPropertyError> errors) =>
        new(string.Join(" ", errors.Select(e => $"{e.Name}: {e.Message} ({e.Code})")));
}
