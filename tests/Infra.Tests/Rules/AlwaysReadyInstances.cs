using System.Text.Json.Nodes;
using Prewarm.Infra.Tests.Arm;

namespace Prewarm.Infra.Tests.Rules;

// The point of the project: an instance is up before the first request. Flex Consumption keeps always-ready instances
// for the http group; Elastic Premium keeps a minimum of instances (plus one prewarmed). Both run .NET 10 isolated.
internal sealed class AlwaysReadyInstances() : InfraRule("always-ready", Compiled.Snapshot)
{
    public override IEnumerable<string> Check(Deployment deployment)
    {
        var apps = deployment.Snapshot.OfType(ResourceTypes.Site)
            .Where(s => s.Text("kind")?.Contains("functionapp", StringComparison.OrdinalIgnoreCase) == true)
            .ToList();
        if (apps.Count == 0)
        {
            yield return "no Function App (Microsoft.Web/sites, kind functionapp) is deployed";
        }

        foreach (var app in apps)
        {
            var name = app.Text("name");
            if (app.At("properties", "functionAppConfig") is JsonObject flex)
            {
                var ready = flex.At("scaleAndConcurrency", "alwaysReady") as JsonArray ?? [];
                if (!ready.Any(r => r.Text("name") == "http" && Count(r.At("instanceCount")) >= 1))
                {
                    yield return $"Flex Consumption app '{name}' must keep always-ready instances for the 'http' group " +
                                 "(functionAppConfig.scaleAndConcurrency.alwaysReady, instanceCount >= 1)";
                }

                if (flex.Text("runtime", "name") != "dotnet-isolated" || flex.Text("runtime", "version") != "10.0")
                {
                    yield return $"Flex Consumption app '{name}' must run dotnet-isolated 10.0 (functionAppConfig.runtime)";
                }
            }
            else
            {
                if (Count(app.At("properties", "siteConfig", "minimumElasticInstanceCount")) < 1)
                {
                    yield return $"Elastic Premium app '{name}' must keep instances ready (siteConfig.minimumElasticInstanceCount >= 1)";
                }

                if (app.Text("properties", "siteConfig", "linuxFxVersion") != "DOTNET-ISOLATED|10.0")
                {
                    yield return $"Elastic Premium app '{name}' must run DOTNET-ISOLATED|10.0 (siteConfig.linuxFxVersion)";
                }
            }
        }
    }

    private static int Count(JsonNode? node) => node is JsonValue value && value.TryGetValue<int>(out var count) ? count : 0;
}
