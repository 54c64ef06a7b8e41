namespace Prewarm;

// Every default in one place; PrewarmSettings documents each.
internal static class PrewarmDefaults
{
    public const int WarmConnections = 4;
    public const int MaxParallelOpens = 8;
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan WarmupTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan TokenTimeout = TimeSpan.FromSeconds(10);

    // Connection-string defaults, applied only where the user's string does not set the key.
    // Npgsql 10 defaults GSS Encryption Mode to Prefer, which costs a round trip (and on some hosts a Kerberos
    // probe) per physical open against servers that never offer GSS, as Azure's do (npgsql #6524, #6555, #6655).
    public const int ConnectTimeoutSeconds = 5; // Npgsql's 15 s would eat half the Functions host's 30 s init budget.
    public const int KeepaliveSeconds = 30; // TCP keepalive well under Azure's 4-minute idle cut.

    public const string ConfigSectionPrefix = "Prewarm";
}
