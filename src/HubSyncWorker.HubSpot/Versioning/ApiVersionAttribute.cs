using HubSyncWorker.HubSpot.Settings;

namespace HubSyncWorker.HubSpot.Versioning;

/// <summary>One of the API versions the client can build paths for (<see cref="HubSpotApiVersion.Allowed"/>, exact spelling).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ApiVersionAttribute : SettingRuleAttribute
{
    public override string Rule => $"must be one of {string.Join(", ", HubSpotApiVersion.Allowed)} (v3 only for an existing legacy private app)";

    public override bool IsValid(object? value) => HubSpotApiVersion.IsAllowed(value as string);
}
