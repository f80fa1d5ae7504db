using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.UnitTests.Configuration;

/// <summary>What start-up reports for a section's options: its data annotations' failures and its rules'.</summary>
internal static class SettingsCheck
{
    public static List<string> Failures<TOptions>(string section, TOptions options, params IValidateOptions<TOptions>[] rules)
        where TOptions : class =>
        [.. rules.Prepend(new SectionValidator<TOptions>(section)).Select(v => v.Validate(null, options)).Where(r => r.Failed).SelectMany(r => r.Failures!)];
}
