using System.Text.Json.Nodes;

namespace Prewarm.Infra.Tests.Arm;

/// <summary>
/// The ARM JSON <c>bicep build</c> writes. Modules are nested deployments whose templates are inlined, so the rules
/// see every module's resources, parameters and outputs through <see cref="Templates"/>.
/// </summary>
internal sealed class ArmTemplate(JsonObject root)
{
    public JsonObject Root { get; } = root;

    public IReadOnlyList<JsonObject> Templates { get; } = [.. Flatten(root)];

    public IEnumerable<JsonObject> Resources => Templates.SelectMany(ResourcesOf);

    /// <summary>The entry template's outputs: what azd reads into the environment.</summary>
    public IEnumerable<KeyValuePair<string, JsonNode?>> Outputs => Root.At("outputs").Properties();

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Text("type"), type, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<JsonObject> Flatten(JsonObject template)
    {
        yield return template;
        foreach (var resource in ResourcesOf(template))
        {
            if (resource.At("properties", "template") is JsonObject nested)
            {
                foreach (var inner in Flatten(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    // Resources are an array, or an object keyed by symbolic name when Bicep emits languageVersion 2.0.
    private static IEnumerable<JsonObject> ResourcesOf(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonObject byName => byName.Select(p => p.Value).OfType<JsonObject>(),
        _ => [],
    };
}
