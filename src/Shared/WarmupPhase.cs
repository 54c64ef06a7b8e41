namespace Prewarm;

/// <summary>A timed part of a successful warm-up attempt, the key of <see cref="WarmupReport.Phases"/>.</summary>
public enum WarmupPhase
{
    /// <summary>The Entra ID token, fetched beside the DNS lookup before the first open (Entra ID only).</summary>
    Token,

    /// <summary>The first connection's open: TCP, TLS, authentication and Npgsql's type loading.</summary>
    Open,

    /// <summary>The warm-up queries and work on the first connection, which JIT-compile the app's query path.</summary>
    Work,

    /// <summary>The other connections, opened and worked side by side; after the first invocation's query when one was waiting for the first.</summary>
    Rest,
}
