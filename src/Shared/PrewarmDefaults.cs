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
    // Half of the 4-minute idle timeout of Azure's load balancers and NAT gateways, which drop an idle flow without
    // telling either end: a pass every 2 minutes touches each idle connection before that, with a pass to spare.
    // The one place this reason is written; docs link here.
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan TokenTimeout = TimeSpan.FromSeconds(10);

    // Connection-string defaults, applied only where the user's string does not set the key (ConnectionStringDefaults).
    public const int ConnectTimeoutSeconds = 5; // Npgsql's 15 s would eat half the Functions host's 30 s init budget.
    public const int KeepaliveSeconds = 30; // TCP keepalive well under Azure's 4-minute idle cut.

    public const string ConfigSectionPrefix = "Prewarm";
}
