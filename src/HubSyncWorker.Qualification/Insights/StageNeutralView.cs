namespace HubSyncWorker.Qualification.Insights;

/// <summary>
/// A contact's snapshot without the lifecycle stage and the policy's own output properties, so that evaluating it gives the stage
/// the contact's data supports rather than the one HubSpot already showed (see <see cref="InsightsAnalyzer"/>).
/// </summary>
internal sealed class StageNeutralView(QualificationPolicy policy)
{
    private readonly string[] _left = [policy.LifecycleProperty, .. policy.OutputNames.All];
    private readonly HashSet<string> _leftSet = new([policy.LifecycleProperty, .. policy.OutputNames.All], StringComparer.Ordinal);

    public ContactSnapshot Of(ContactSnapshot contact)
    {
        if (!Array.Exists(_left, contact.Properties.ContainsKey))
        {
            return contact;
        }

        var kept = new Dictionary<string, string?>(contact.Properties.Count, StringComparer.Ordinal);
        foreach (var (name, value) in contact.Properties)
        {
            if (!_leftSet.Contains(name))
            {
                kept[name] = value;
            }
        }

        return contact with { Properties = kept };
    }
}
