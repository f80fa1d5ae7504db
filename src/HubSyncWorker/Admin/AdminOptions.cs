using HubSyncWorker.HubSpot.Settings;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.Admin;

/// <summary>The admin HTTP endpoints (section <c>Admin</c>).</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>Minimum length of <see cref="Token"/>, so it cannot be guessed.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>
    /// Bearer token that <c>/admin/resync</c> and <c>/admin/deadletters</c> require (<c>Authorization: Bearer &lt;token&gt;</c>). Default: empty, which
    /// disables the admin endpoints (they answer 404). At least 16 characters, no whitespace. Never logged.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>True when a token is configured and the admin endpoints are live.</summary>
    public bool Enabled => !string.IsNullOrEmpty(Token);
}

/// <summary>Checks <see cref="AdminOptions"/>'s token when one is set (none disables the endpoints); its value is never echoed, only what is wrong with it.</summary>
internal sealed class AdminOptionsRules : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Token))
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        const string Key = $"{AdminOptions.SectionName}:{nameof(AdminOptions.Token)}";
        if (options.Token.Length < AdminOptions.MinimumTokenLength)
        {
            errors.Add(SettingMessages.InvalidSecret(Key, $"must be at least {AdminOptions.MinimumTokenLength} characters; it has {options.Token.Length}"));
        }

        if (options.Token.Any(char.IsWhiteSpace))
        {
            errors.Add(SettingMessages.InvalidSecret(Key, "must not contain whitespace"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
