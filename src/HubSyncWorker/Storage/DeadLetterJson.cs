using System.Text.Json;

namespace HubSyncWorker.Storage;

/// <summary>The stored form of a dead letter (camelCase JSON; the Redis removal script reads <c>contactId</c>).</summary>
internal static class DeadLetterJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(DeadLetter deadLetter) => JsonSerializer.Serialize(deadLetter, Options);

    public static DeadLetter? Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<DeadLetter>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
