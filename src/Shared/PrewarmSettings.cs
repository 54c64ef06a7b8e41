using Azure.Core;
using Npgsql;

namespace Prewarm;

/// <summary>
/// Settings of one prewarmed data source, bound from the configuration section <c>Prewarm:{connectionName}</c>;
/// <c>ConnectionStrings:{connectionName}</c> wins over <see cref="ConnectionString"/>, and the delegate passed to
/// <c>AddPrewarmedNpgsql</c> runs last.
/// </summary>
public sealed class PrewarmSettings
{
    /// <summary>The Npgsql connection string. Driver knobs (pool sizes, SSL, timeouts) stay in it.</summary>
    /// <value>The default value is <see langword="null"/>: <c>ConnectionStrings:{connectionName}</c> is required then.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Whether Prewarm warms the pool at all. When false the data source is registered as usual, nothing is opened
    /// before the first request, and the gate lets every invocation through at once: for debugging, and to measure
    /// what the warm-up buys (<c>Prewarm:{connectionName}:Enabled=false</c>).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>How many physical connections warm-up opens and keeps idle in the pool. <c>Minimum Pool Size</c> is raised to at least this.</summary>
    /// <value>The default value is 4. It must be between 1 and <c>Maximum Pool Size</c>.</value>
    public int WarmConnections { get; set; } = PrewarmDefaults.WarmConnections;

    /// <summary>How many connections warm-up opens at once.</summary>
    /// <value>The default value is 8.</value>
    public int MaxParallelOpens { get; set; } = PrewarmDefaults.MaxParallelOpens;

    /// <summary>SQL run once on every warmed connection, every row read, so the app's own statements and readers are compiled before traffic.</summary>
    /// <value>The default value is empty: only the connection is opened.</value>
    public IList<string> WarmupQueries { get; } = [];

    /// <summary>The app's own warm-up work, run once on every warmed connection after <see cref="WarmupQueries"/>: run the real statements with real parameter types.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<NpgsqlConnection, CancellationToken, Task>? WarmupWork { get; set; }

    /// <summary>Whether host start waits for the warm-up.</summary>
    /// <value>The default value is <see cref="PrewarmStartupMode.Background"/>: the Functions host kills a worker that is not initialised in time.</value>
    public PrewarmStartupMode StartupMode { get; set; } = PrewarmStartupMode.Background;

    /// <summary>With <see cref="PrewarmStartupMode.BlockUntilWarm"/>, the longest host start waits.</summary>
    /// <value>The default value is 20 seconds, under the Functions host's 30-second worker-initialisation budget.</value>
    public TimeSpan StartupTimeout { get; set; } = PrewarmDefaults.StartupTimeout;

    /// <summary>The longest an invocation waits at the gate for <see cref="WarmupState.Warm"/>.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan GateTimeout { get; set; } = PrewarmDefaults.GateTimeout;

    /// <summary>The total deadline of one warm-up run, retries included. After it the state is <see cref="WarmupState.Degraded"/> and a new run starts after <see cref="RetryMaxDelay"/>.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan WarmupTimeout { get; set; } = PrewarmDefaults.WarmupTimeout;

    /// <summary>The first retry delay; later ones grow exponentially, with jitter.</summary>
    /// <value>The default value is 250 milliseconds.</value>
    public TimeSpan RetryBaseDelay { get; set; } = PrewarmDefaults.RetryBaseDelay;

    /// <summary>The cap on any retry delay: once the database is back, the pool is warm again within this.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan RetryMaxDelay { get; set; } = PrewarmDefaults.RetryMaxDelay;

    /// <summary>How often the background keep-alive pass validates idle connections and tops the pool up. <see cref="TimeSpan.Zero"/> turns the loop off (the Functions app runs the pass from a timer instead).</summary>
    /// <value>The default value is 2 minutes, below the 4-minute idle cut of Azure's load balancers.</value>
    public TimeSpan KeepAliveInterval { get; set; } = PrewarmDefaults.KeepAliveInterval;

    /// <summary>
    /// Each warm-up run (the first, a retry run, a re-warm after a failover) starts after a random delay up to this long,
    /// so instances that start or lose the server together do not all open their connections in the same instant.
    /// </summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>: a single instance should not pay for it on its first request. Set about 1 second when tens of instances start at once against a server with little room.</value>
    public TimeSpan StartJitter { get; set; }

    /// <summary>Whether the health check is registered.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DisableHealthChecks { get; set; }

    /// <summary>
    /// Whether connections authenticate with Microsoft Entra ID access tokens instead of a password.
    /// <see langword="null"/> decides by the connection string: no password means Entra ID.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public bool? UseEntraAuthentication { get; set; }

    /// <summary>
    /// The credential for Entra ID tokens. When null: <c>ManagedIdentityCredential</c> for the user-assigned identity in
    /// <c>AZURE_CLIENT_ID</c> when that variable is set, otherwise <c>DefaultAzureCredential</c> without its managed-identity probe.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TokenCredential? Credential { get; set; }

    /// <summary>The longest one token request may take (the managed-identity endpoint can hang).</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan TokenTimeout { get; set; } = PrewarmDefaults.TokenTimeout;

    /// <summary>
    /// The connection goes through PgBouncer in transaction mode (Azure Flexible Server's built-in one listens on 6432).
    /// Sets <c>No Reset On Close=true</c> (the DISCARD ALL sent on every return would run on whichever server
    /// connection the next transaction lands on) and rejects <c>Max Auto Prepare</c> above 0 at startup, because
    /// server-side prepared statements do not survive a transaction there.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool PgBouncer { get; set; }
}
