using Azure.Core;
using Azure.Identity;
using Prewarm.Lab.Cli;

namespace Prewarm.Lab.Probe;

// The Entra ID token for --entra, fetched with the lab's own code (the library's token source is internal, not the
// lab's to reach into). The probe runs in two places: in Azure, where AZURE_CLIENT_ID names the user-assigned identity
// the app uses, and on a developer machine, where 'az login' is what the fix says; no credential chain to wait through.
internal static class ProbeToken
{
    // The resource Entra ID issues Azure Database for PostgreSQL tokens for (the library asks for the same one).
    private const string Scope = "https://ossrdbms-aad.database.windows.net/.default";

    public static async Task<string> FetchAsync(CancellationToken ct)
    {
        var clientId = Environment.GetEnvironmentVariable("AZURE_CLIENT_ID");
        TokenCredential credential = string.IsNullOrEmpty(clientId)
            ? new AzureCliCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        try
        {
            return (await credential.GetTokenAsync(new TokenRequestContext([Scope]), ct)).Token;
        }
        catch (AuthenticationFailedException e)
        {
            // CredentialUnavailableException is one too. Its message may span lines; the lab reports failures in one.
            var reason = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            throw new LabException(
                $"no Entra ID token ({e.GetType().Name}: {reason}). In Azure set AZURE_CLIENT_ID to the app's user-assigned identity; on a developer machine run 'az login'.");
        }
    }
}
