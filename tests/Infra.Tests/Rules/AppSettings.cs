using System.Reflection;
using System.Text.Json.Nodes;
using Prewarm.Infra.Tests.Arm;

namespace Prewarm.Infra.Tests.Rules;

// The settings the app reads are deployed, name the one identity instead of a secret, and the library's section holds
// only keys it knows: it binds Prewarm:postgres with ErrorOnUnknownConfiguration, so a typo would stop every instance
// at startup (src/Shared/Configuration/SettingsLoader.cs).
internal sealed class AppSettings() : InfraRule("app-settings", Compiled.Snapshot)
{
    // src/Functions/FunctionsAppSetup.cs: ConnectionName.
    private const string ConnectionName = "postgres";

    // Read by src/Functions/FunctionsAppOptions.cs (KeepAliveScheduleKey, WarmupFunctionTimeoutKey), outside the library's section.
    private static readonly string[] s_appKeys = ["Prewarm__KeepAliveSchedule", "Prewarm__WarmupFunctionTimeout"];

    // Settings that would put a key or a connection string with a key into the app.
    private static readonly string[] s_forbidden =
        ["AzureWebJobsStorage", "APPINSIGHTS_INSTRUMENTATIONKEY", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"];

    private static readonly HashSet<string> s_librarySettings = typeof(PrewarmSettings)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite || p.PropertyType.IsAssignableTo(typeof(System.Collections.IEnumerable)))
        .Select(p => p.Name)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public override IEnumerable<string> Check(Deployment deployment)
    {
        var snapshot = deployment.Snapshot;
        var settingsResources = snapshot.OfType(ResourceTypes.SiteConfig)
            .Where(c => c.Text("name")?.EndsWith("/appsettings", StringComparison.Ordinal) == true)
            .ToList();
        if (settingsResources.Count != 1)
        {
            yield return $"exactly one Microsoft.Web/sites/config 'appsettings' expected, found {settingsResources.Count}";
            yield break;
        }

        var settings = settingsResources[0]["properties"] as JsonObject ?? [];
        var identityId = snapshot.OfType(ResourceTypes.Identity).FirstOrDefault()?.Text("id") ?? "(no identity)";

        // The identity-based connections of the host (AzureWebJobsStorage__*, Application Insights) and of the app.
        var expected = new (string Key, Func<string, bool> Shape, string Expected)[]
        {
            ("AzureWebJobsStorage__accountName", v => v.Length > 0, "the storage account's name"),
            ("AzureWebJobsStorage__credential", v => v == "managedidentity", "'managedidentity'"),
            ("AzureWebJobsStorage__clientId", v => IsClientIdOf(v, identityId), $"the client ID of {identityId}"),
            ("APPLICATIONINSIGHTS_CONNECTION_STRING", v => v.Length > 0, "the component's connection string"),
            ("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", v => v.Contains("Authorization=AAD", StringComparison.Ordinal), "'ClientId=…;Authorization=AAD'"),
            ("AZURE_CLIENT_ID", v => IsClientIdOf(v, identityId), $"the client ID of {identityId} (src/Shared/Authentication/EntraCredentials.cs)"),
            ($"ConnectionStrings__{ConnectionName}", IsPasswordlessConnectionString, "Host=…;Username=…;Ssl Mode=Require and no password"),
            ("Prewarm__KeepAliveSchedule", v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6, "a six-field NCRONTAB schedule"),
        };
        foreach (var (key, shape, want) in expected)
        {
            if (settings.Text(key) is not { } value)
            {
                yield return $"app setting '{key}' is missing";
            }
            else if (!shape(value))
            {
                yield return $"app setting '{key}' must be {want}, got {value}";
            }
        }

        foreach (var key in s_forbidden.Where(settings.ContainsKey))
        {
            yield return $"app setting '{key}' carries a key: use the identity-based settings instead";
        }

        var libraryPrefix = $"Prewarm__{ConnectionName}__";
        foreach (var (key, _) in settings)
        {
            if (key.StartsWith(libraryPrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (!s_librarySettings.Contains(key[libraryPrefix.Length..]))
                {
                    yield return $"app setting '{key}' is not a PrewarmSettings property: the library would refuse to start";
                }
            }
            else if (key.StartsWith("Prewarm__", StringComparison.OrdinalIgnoreCase) && !s_appKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                yield return $"app setting '{key}' is read by nothing (the app reads {string.Join(", ", s_appKeys)} and {libraryPrefix}*)";
            }
        }

        if (settings.Text("FUNCTIONS_WORKER_RUNTIME") is { } runtime && runtime != "dotnet-isolated")
        {
            yield return $"app setting 'FUNCTIONS_WORKER_RUNTIME' must be 'dotnet-isolated', got '{runtime}'";
        }
    }

    // A run-time value in the snapshot: [reference('<identity id>', '<api>').clientId].
    private static bool IsClientIdOf(string value, string identityId) =>
        value.Contains($"reference('{identityId}'", StringComparison.Ordinal) && value.EndsWith(".clientId]", StringComparison.Ordinal);

    private static bool IsPasswordlessConnectionString(string value) =>
        value.Contains("Host=", StringComparison.Ordinal)
        && value.Contains("Username=", StringComparison.Ordinal)
        && value.Contains("Ssl Mode=Require", StringComparison.OrdinalIgnoreCase)
        && !value.Contains("Password", StringComparison.OrdinalIgnoreCase);
}
