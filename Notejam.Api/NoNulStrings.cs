using System.Text.Json;
using System.Text.Json.Serialization;

namespace Notejam.Api;

/// <summary>
/// Reads JSON strings, refusing any with a NUL character (\u0000): PostgreSQL text cannot hold one, so it would
/// otherwise fail the save or the query with a 500. The request is a 400, like any other unreadable body.
/// </summary>
internal sealed class NoNulStrings : JsonConverter<string>
{
    public const string Message = "Text cannot contain the NUL character (\\u0000).";

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        return value is not null && value.Contains('\0', StringComparison.Ordinal)
            ? throw new JsonException(Message)
            : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
