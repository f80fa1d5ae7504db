using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// The lead status the worker writes (<c>LeadStatus</c> section): open for a qualified contact still new, new for a lead
/// without one, unqualified for a disqualified contact not yet worked; never a status sales own.
/// </summary>
internal sealed class LeadStatusRules
{
    private readonly bool _manage;
    private readonly int _slot;
    private readonly string _newStatus;
    private readonly string _openStatus;
    private readonly string _unqualifiedStatus;
    private readonly StringTable<bool> _salesOwned;

    public LeadStatusRules(LeadStatusOptions leadStatus, PropertySlots slots)
    {
        _manage = leadStatus.Manage;
        _slot = slots.SlotOf(leadStatus.Property);
        _newStatus = leadStatus.NewValue;
        _openStatus = leadStatus.OpenValue;
        _unqualifiedStatus = leadStatus.UnqualifiedValue;
        _salesOwned = new StringTable<bool>(leadStatus.SalesOwned.Select(s => KeyValuePair.Create(s.Trim(), true)), ignoreCase: true);
    }

    /// <summary>The lead status to write for a contact of <paramref name="status"/>, or null to leave it.</summary>
    public string? ToSet(QualificationStatus status, ReadOnlySpan<string?> values)
    {
        if (!_manage)
        {
            return null;
        }

        var current = values[_slot].AsSpan().Trim();
        if (_salesOwned.ContainsKey(current))
        {
            return null;
        }

        return status switch
        {
            QualificationStatus.Disqualified when current.IsEmpty || Is(current, _newStatus) || Is(current, _openStatus) => _unqualifiedStatus,
            QualificationStatus.Mql or QualificationStatus.Sql or QualificationStatus.Opportunity when current.IsEmpty || Is(current, _newStatus) => _openStatus,
            QualificationStatus.Lead when current.IsEmpty => _newStatus,
            _ => null,
        };
    }

    private static bool Is(ReadOnlySpan<char> current, string status) => current.Equals(status, StringComparison.OrdinalIgnoreCase);
}
