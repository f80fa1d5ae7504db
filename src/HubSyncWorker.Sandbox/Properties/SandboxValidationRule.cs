namespace HubSyncWorker.Sandbox.Properties;

/// <summary>
/// A property validation rule an admin configured in the portal (Settings > Properties > a property > Rules), which API version 2026-09
/// enforces on writes: <see cref="PropertyName"/> must hold a value after the write, always, or only when <see cref="WhenProperty"/>
/// ends up equal to <see cref="WhenValue"/>. Set with <see cref="PropertyCatalog.RequireOnWrite"/> and <see cref="PropertyCatalog.RequireOnWriteWhen"/>.
/// </summary>
/// <param name="PropertyName">The property that must have a value.</param>
/// <param name="WhenProperty">For a conditional rule, the property whose value triggers it; null for an unconditional rule.</param>
/// <param name="WhenValue">For a conditional rule, the value of <paramref name="WhenProperty"/> that triggers it.</param>
public sealed record SandboxValidationRule(string PropertyName, string? WhenProperty = null, string? WhenValue = null)
{
    /// <summary>The error code HubSpot answers when an input breaks this rule.</summary>
    public string ErrorCode => WhenProperty is null ? "MISSING_REQUIRED_PROPERTY" : "MISSING_CONDITIONAL_REQUIRED_PROPERTY";
}
