using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HubSyncWorker.Qualification.Policy;

/// <summary>
/// Checks a policy document's shape against <see cref="QualificationPolicyOptions"/> before it is deserialised: every member
/// that is no setting (with the setting probably meant) and every value of the wrong kind (<c>"MinFit": "sixty"</c>), each with
/// its path in the words of the configuration (<c>Qualification:Mql:MinFit</c>), all at once. The deserialiser would stop at
/// the first, with a .NET type name and a line number.
/// </summary>
internal static class PolicyJsonShape
{
    public static IReadOnlyList<PolicyError> Check(JsonElement policy, string path)
    {
        var errors = new List<PolicyError>();
        if (policy.ValueKind == JsonValueKind.Object && policy.EnumerateObject().Any()
            && !policy.EnumerateObject().Any(member => Find(typeof(QualificationPolicyOptions), member.Name) is not null))
        {
            // A settings file without a Qualification section, say: not one member would be a policy setting.
            errors.Add(new(path, null, $"the document holds no policy setting (its members: {string.Join(", ", policy.EnumerateObject().Select(m => m.Name))}); "
                + $"a policy document has {string.Join(", ", Settings(typeof(QualificationPolicyOptions)))}, and a settings file a {QualificationPolicyOptions.SectionName} section"));
            return errors;
        }

        CheckValue(policy, typeof(QualificationPolicyOptions), path, errors);
        return errors;
    }

    private static void CheckValue(JsonElement value, Type type, string path, List<PolicyError> errors)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (type.IsValueType && underlying is null)
            {
                errors.Add(new(path, null, $"must be {Expected(type)}, not null"));
            }

            return;
        }

        var target = underlying ?? type;
        if (target == typeof(string))
        {
            Expect(value.ValueKind == JsonValueKind.String);
        }
        else if (target == typeof(int))
        {
            Expect(value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _));
        }
        else if (target == typeof(double))
        {
            Expect(value.ValueKind == JsonValueKind.Number);
        }
        else if (target == typeof(bool))
        {
            Expect(value.ValueKind is JsonValueKind.True or JsonValueKind.False);
        }
        else if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            if (Expect(value.ValueKind == JsonValueKind.Object))
            {
                foreach (var member in value.EnumerateObject())
                {
                    CheckValue(member.Value, target.GetGenericArguments()[1], $"{path}:{member.Name}", errors);
                }
            }
        }
        else if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(List<>))
        {
            if (Expect(value.ValueKind == JsonValueKind.Array))
            {
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckValue(item, target.GetGenericArguments()[0], string.Create(CultureInfo.InvariantCulture, $"{path}:{index++}"), errors);
                }
            }
        }
        else if (Expect(value.ValueKind == JsonValueKind.Object))
        {
            foreach (var member in value.EnumerateObject())
            {
                if (Find(target, member.Name) is { } property)
                {
                    CheckValue(member.Value, property.PropertyType, $"{path}:{property.Name}", errors);
                    continue;
                }

                var settings = Settings(target);
                var closest = SettingNames.Closest(member.Name, settings);
                errors.Add(new($"{path}:{member.Name}", Shown(member.Value), closest is not null
                    ? $"is not a setting here; did you mean {path}:{closest}?"
                    : $"is not a setting here; the settings of {path}: {string.Join(", ", settings)}"));
            }
        }

        bool Expect(bool right)
        {
            if (!right)
            {
                errors.Add(new(path, Shown(value), $"must be {Expected(target)}"));
            }

            return right;
        }
    }

    private static string Shown(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(string) => "a text in double quotes",
        _ when type == typeof(int) => "a whole number, without quotes",
        _ when type == typeof(double) => "a number, without quotes",
        _ when type == typeof(bool) => "true or false, without quotes",
        _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) => "a list in square brackets: [ ... ]",
        _ => "an object in braces: { ... }",
    };

    private static PropertyInfo? Find(Type type, string name) =>
        Properties(type).FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Settings(Type type) => Properties(type).Select(p => p.Name);

    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null);
}
