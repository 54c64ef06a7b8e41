using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;

namespace Prewarm.Authentication;

internal static class EntraCredentials
{
    // AZURE_CLIENT_ID means a user-assigned managed identity (what the Bicep deploys). Without it, a developer
    // machine: DefaultAzureCredential without the managed-identity probe, whose IMDS call can hang off Azure.
    public static TokenCredential CreateDefault() =>
        Environment.GetEnvironmentVariable("AZURE_CLIENT_ID") is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ExcludeManagedIdentityCredential = true,
                ExcludeWorkloadIdentityCredential = true,
            });

    // The PostgreSQL role of an Entra principal is its display name: a managed identity's resource name (last
    // segment of xms_mirid), a user's UPN. Same claim order as Aspire's Azure Npgsql integration.
    public static string? UsernameFromToken(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            var claims = json.RootElement;
            if (claims.TryGetProperty("xms_mirid", out var mirid) && mirid.GetString() is { } resourceId)
            {
                return resourceId[(resourceId.LastIndexOf('/') + 1)..];
            }

            foreach (var claim in (ReadOnlySpan<string>)["upn", "preferred_username", "unique_name", "appid"])
            {
                if (claims.TryGetProperty(claim, out var value) && value.GetString() is { Length: > 0 } name)
                {
                    return name;
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
        }

        return null;
    }
}
