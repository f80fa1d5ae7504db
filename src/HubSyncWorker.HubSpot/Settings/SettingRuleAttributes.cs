using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace HubSyncWorker.HubSpot.Settings;

/// <summary>A data annotation whose failure reads as the rule it states (<c>must be ...</c>), for <see cref="SectionValidator{TOptions}"/>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public abstract class SettingRuleAttribute : ValidationAttribute
{
    /// <summary>What the value must be, as it follows the key in a message (<c>must be an absolute http(s) URL</c>).</summary>
    public abstract string Rule { get; }
}

/// <summary>A time span between two limits written as configuration writes them (<c>00:00:10</c>, <c>1.00:00:00</c>); no maximum: at least the minimum.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TimeSpanRangeAttribute : RangeAttribute
{
    /// <summary>Between <paramref name="minimum"/> and <paramref name="maximum"/>, both included unless <see cref="RangeAttribute.MinimumIsExclusive"/>.</summary>
    public TimeSpanRangeAttribute(string minimum, string? maximum = null)
        : base(typeof(TimeSpan), minimum, maximum ?? TimeSpan.MaxValue.ToString("c", CultureInfo.InvariantCulture))
    {
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
    }
}

/// <summary>An absolute <c>http://</c> or <c>https://</c> URL.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HttpUrlAttribute : SettingRuleAttribute
{
    /// <summary>Let the setting be empty (unset).</summary>
    public bool Optional { get; init; }

    /// <summary>Refuse a query string (a URL a signature is computed over).</summary>
    public bool WithoutQuery { get; init; }

    /// <inheritdoc/>
    public override string Rule => WithoutQuery ? "must be an absolute http(s) URL without a query string" : "must be an absolute http(s) URL";

    /// <inheritdoc/>
    public override bool IsValid(object? value) =>
        value is not string { Length: > 0 } text ? Optional
        : (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && (!WithoutQuery || string.IsNullOrEmpty(uri.Query)));
}

/// <summary>A URL path: starts with <c>/</c> (<c>/webhooks/hubspot</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class UrlPathAttribute : SettingRuleAttribute
{
    /// <inheritdoc/>
    public override string Rule => "must be a path starting with '/'";

    /// <inheritdoc/>
    public override bool IsValid(object? value) => value is string path && !string.IsNullOrWhiteSpace(path) && path.StartsWith('/');
}

/// <summary>A path naming a file that exists; empty passes (unset).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ExistingFileAttribute : SettingRuleAttribute
{
    /// <inheritdoc/>
    public override string Rule => "must name a readable file";

    /// <inheritdoc/>
    public override bool IsValid(object? value) => value is not string { Length: > 0 } path || string.IsNullOrWhiteSpace(path) || File.Exists(path);
}
