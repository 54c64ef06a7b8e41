namespace Prewarm;

// A timed part of a successful warm-up attempt, the key of WarmupReport.Phases. Not public: timing detail no app acts
// on; it reaches dashboards as the meter's prewarm.warmup.phase.duration (tag prewarm.phase: token, open, work, rest).
internal enum WarmupPhase
{
    // The Entra ID token, fetched beside the DNS lookup before the first open (Entra ID only).
    Token,

    // The first connection's open: TCP, TLS, authentication and Npgsql's type loading.
    Open,

    // The warm-up queries and work on the first connection, which JIT-compile the app's query path.
    Work,

    // The other connections, opened and worked side by side; after the first invocation's query when one was waiting for the first.
    Rest,
}
