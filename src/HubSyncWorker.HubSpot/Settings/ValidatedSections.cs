using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HubSyncWorker.HubSpot.Settings;

/// <summary>A configuration section bound to an options class, as <see cref="ValidatedSections.AddValidatedSection{TOptions}"/> registered it.</summary>
/// <param name="Name">The section's path (<c>Sync</c>), as messages name its keys (<c>Sync:QueueBatchSize</c>).</param>
/// <param name="OptionsType">The options class; its settable public properties are the section's settings.</param>
public sealed record SettingsSection(string Name, Type OptionsType)
{
    /// <summary>The names of the section's settings.</summary>
    public IReadOnlyList<string> SettingNames => [.. ValidatedSections.Settings(OptionsType).Select(p => p.Name)];
}

/// <summary>
/// The one way a configuration section becomes options: bound by section name, checked at start by the data annotations on the
/// options' properties (<see cref="SectionValidator{TOptions}"/>) and by hand-written rules for what annotations cannot say, and
/// registered as a <see cref="SettingsSection"/> so the host can refuse keys that no option reads. Every failure reads
/// <c>Section:Key must ...; was 'value'.</c> (<see cref="SettingMessages"/>).
/// </summary>
public static class ValidatedSections
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, validated at start; a value its property's type cannot
    /// hold is reported (with every other problem of the section) instead of stopping the binder at the first.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedSection<TOptions>(this IServiceCollection services, IConfigurationSection section)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        var registered = new SettingsSection(section.Path, typeof(TOptions));
        if (!services.Any(d => d.ServiceType == typeof(SettingsSection) && Equals(d.ImplementationInstance, registered)))
        {
            services.AddSingleton(registered);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(section.Path, section)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOptionsChangeTokenSource<TOptions>>(new ConfigurationChangeTokenSource<TOptions>(section)));
        return services.AddOptions<TOptions>().Configure(options => Bind(section, options)).ValidateOnStart();
    }

    /// <summary>
    /// <see cref="AddValidatedSection{TOptions}"/> with <typeparamref name="TRules"/>: the rules that relate several settings, or
    /// need code (parse a cron expression, never echo a secret), each failure in the same format.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedSection<TOptions, TRules>(this IServiceCollection services, IConfigurationSection section)
        where TOptions : class, new()
        where TRules : class, IValidateOptions<TOptions>
    {
        var builder = services.AddValidatedSection<TOptions>(section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TRules>());
        return builder;
    }

    /// <summary>
    /// The section's options as they will be bound, for the few registrations that need a value before the container exists
    /// (a schedule, an endpoint's path). A value that cannot be converted leaves its default (start-up then reports it).
    /// </summary>
    public static TOptions Read<TOptions>(IConfigurationSection section)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = new TOptions();
        Bind(section, options);
        return options;
    }

    internal static void Bind(IConfigurationSection section, object options)
    {
        var unconvertible = SettingValues.Unconvertible(section, options.GetType()).Select(u => u.Setting).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (unconvertible.Count == 0)
        {
            section.Bind(options);
            return;
        }

        // The binder stops at the first value it cannot convert: bind the others one by one, leaving the bad ones at their defaults.
        foreach (var property in Settings(options.GetType()).Where(p => !unconvertible.Contains(p.Name)))
        {
            var child = section.GetSection(property.Name);
            if (!child.Exists())
            {
                continue;
            }

            if (child.Value is null && property.GetValue(options) is { } current)
            {
                child.Bind(current);
            }
            else
            {
                property.SetValue(options, child.Get(property.PropertyType));
            }
        }
    }

    internal static List<PropertyInfo> Settings(Type options) =>
        [.. options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.CanRead)];
}
