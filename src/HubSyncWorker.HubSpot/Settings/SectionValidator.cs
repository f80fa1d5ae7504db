using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot.Settings;

/// <summary>
/// Checks one section's options against the data annotations on their properties (<see cref="RangeAttribute"/>,
/// <see cref="RequiredAttribute"/>, <see cref="SettingRuleAttribute"/>s) and reports the values of the section that could not be
/// converted; every failure at once, each naming the key, what is allowed and the value.
/// </summary>
/// <remarks>
/// Not the source-generated <c>[OptionsValidator]</c>: its messages name the C# member (<c>SyncOptions.QueueBatchSize</c>) and
/// not the value, where an operator needs the configuration key and what they wrote.
/// </remarks>
/// <param name="sectionName">The section's path, as the messages name its keys.</param>
/// <param name="section">The configuration the options were bound from, to report its unconvertible values; none to check only the options.</param>
public sealed class SectionValidator<TOptions>(string sectionName, IConfigurationSection? section = null) : IValidateOptions<TOptions>
    where TOptions : class
{
    private static readonly IReadOnlyList<(PropertyInfo Property, ValidationAttribute[] Rules)> Annotated =
    [
        .. ValidatedSections.Settings(typeof(TOptions))
            .Select(p => (p, p.GetCustomAttributes<ValidationAttribute>(inherit: true).ToArray()))
            .Where(p => p.Item2.Length > 0),
    ];

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unconvertible = section is null ? [] : SettingValues.Unconvertible(section, typeof(TOptions));
        var errors = unconvertible.Select(u => u.Message).ToList();
        foreach (var (property, rules) in Annotated)
        {
            // A value that could not be read left its default in its place: no rule reports that stand-in.
            if (unconvertible.Any(u => u.Setting == property.Name))
            {
                continue;
            }

            var value = property.GetValue(options);
            errors.AddRange(rules.Where(r => !r.IsValid(value)).Select(r => SettingMessages.Invalid($"{sectionName}:{property.Name}", value, Rule(r))));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // A Range's or Required's ErrorMessage says why the limit is there: it follows the rule in brackets.
    private static string Rule(ValidationAttribute attribute) => attribute switch
    {
        SettingRuleAttribute rule => rule.Rule,
        RangeAttribute range => RangeRule(range) + Why(range),
        RequiredAttribute required => "must not be empty" + Why(required),
        _ => attribute.ErrorMessage ?? attribute.GetType().Name.Replace("Attribute", "", StringComparison.Ordinal),
    };

    private static string Why(ValidationAttribute attribute) => attribute.ErrorMessage is { Length: > 0 } why ? $" ({why})" : "";

    private static string RangeRule(RangeAttribute range)
    {
        var min = Limit(range, range.Minimum);
        var max = Limit(range, range.Maximum);
        if (max == SettingMessages.Text(TimeSpan.MaxValue))
        {
            return range.MinimumIsExclusive ? $"must be longer than {min}" : $"must be at least {min}";
        }

        return (range.MinimumIsExclusive, range.MaximumIsExclusive) switch
        {
            (true, false) => $"must be greater than {min} and at most {max}",
            (false, true) => $"must be at least {min} and less than {max}",
            (true, true) => $"must be greater than {min} and less than {max}",
            _ => $"must be between {min} and {max}",
        };
    }

    // Time-span limits are written as the configuration writes them (00:00:10), whatever the attribute's text looked like.
    private static string Limit(RangeAttribute range, object limit) =>
        range.OperandType == typeof(TimeSpan) && limit is string text && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)
            ? SettingMessages.Text(span)
            : SettingMessages.Text(limit);
}
