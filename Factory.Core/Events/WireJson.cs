using System.Text.Json;
using System.Text.Json.Serialization;

namespace Factory.Core.Events;

/// <summary>
/// The serializer settings of the wire contracts outside the web host (the edge client reading the batch answer,
/// reports published on MQTT): snake_case names as the API writes them, map keys as they are, numbers as numbers.
/// </summary>
public static class WireJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        NumberHandling = JsonNumberHandling.Strict,
        Encoder = CameraEventJson.WriterOptions.Encoder,
    };
}
