using Azure.Identity;
using Prewarm.Diagnostics;

namespace Prewarm.Authentication;

// A token failure that says what to set. The credential's own message is kept (redacted): it names the sources
// DefaultAzureCredential tried, which is usually the quickest way to the fix.
internal sealed class EntraTokenException : Exception
{
    private const string Fix =
        "In Azure set AZURE_CLIENT_ID to the client ID of the app's user-assigned managed identity; on a developer machine run 'az login'; " +
        "either way the identity must be a Microsoft Entra role on the server (an Entra administrator, or pgaadauth_create_principal).";

    public EntraTokenException()
    {
    }

    public EntraTokenException(string message)
        : base(message)
    {
    }

    public EntraTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private EntraTokenException(string message, bool isTransient)
        : base(message) => IsTransient = isTransient;

    /// <summary>A timeout or a failed request may pass; an unavailable credential needs a person.</summary>
    public bool IsTransient { get; }

    public static EntraTokenException From(Exception exception, TimeSpan timeout, SecretRedactor redactor) => exception switch
    {
        TimeoutException => new($"No Entra ID token within {timeout.TotalSeconds:0.#} s. {Fix}", isTransient: true),
        CredentialUnavailableException => new($"No Entra ID credential is available: {Flatten(redactor.Redact(exception.Message))} {Fix}", isTransient: false),
        _ => new($"Entra ID token request failed ({exception.GetType().Name}): {Flatten(redactor.Redact(exception.Message))} {Fix}", isTransient: true),
    };

    // DefaultAzureCredential lists every source it tried on its own line; one line reads better in logs and errors.
    private static string Flatten(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
