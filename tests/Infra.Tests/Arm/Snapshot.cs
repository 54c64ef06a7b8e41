using System.Text.Json.Nodes;

namespace Prewarm.Infra.Tests.Arm;

/// <summary>
/// What <c>bicep snapshot</c> predicts a deployment creates for given parameters: modules flattened, conditions and
/// ternaries evaluated, names and IDs computed. Only values that exist at run time (an identity's client ID, a
/// server's host name) stay ARM expressions, e.g. <c>[reference('/subscriptions/…/id-…', '2024-11-30').clientId]</c>.
/// </summary>
internal sealed class Snapshot(JsonObject root)
{
    public IReadOnlyList<JsonObject> Resources { get; } = [.. (root["predictedResources"] as JsonArray ?? []).OfType<JsonObject>()];

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Text("type"), type, StringComparison.OrdinalIgnoreCase));
}
