using System.Text.Json.Nodes;

namespace Prewarm.Infra.Tests.Arm;

internal static class Json
{
    /// <summary>The node at a property path, or null where any step is missing.</summary>
    public static JsonNode? At(this JsonNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(key, out var next) ? next : null;
        }

        return node;
    }

    public static string? Text(this JsonNode? node, params string[] path) =>
        node.At(path) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static IEnumerable<KeyValuePair<string, JsonNode?>> Properties(this JsonNode? node) =>
        node as JsonObject ?? [];

    /// <summary>Every string anywhere below a node: ARM expressions included, since they are strings too.</summary>
    public static IEnumerable<string> Strings(this JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => p.Value.Strings().Prepend(p.Key)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };
}
