using Azure.Core;
using Npgsql;

namespace Prewarm;

/// <summary>
/// Settings of one prewarmed data source, bound from the configuration section <c>Prewarm:{connectionName}</c>;
/// <c>ConnectionStrings:{connectionName}</c> wins over <see cref="ConnectionString"/>, and the delegate passed to
/// <c>AddPrewarmedNpgsql</c> runs last. Every public property is one an app has a reason to set, said in its
/// <c>remarks</c>; knobs no app should turn are not here.
/// </summary>
public sealed class PrewarmSettings
{
    /// <summary>The Npgsql connection string. Driver knobs (pool sizes, SSL, timeouts) stay in it.</summary>
    /// <remarks>For hosts that keep all of a component's settings in its own section, as Aspire's components allow.</remarks>
    /// <value>The default value is <see langword="null"/>: <c>ConnectionStrings:{connectionName}</c> is required then.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Whether Prewarm warms the pool at all. When false the data source is registered as usual, nothing is opened
    /// before the first request, and the gate lets every invocation through at once: for debugging, and to measure
    /// what the warm-up buys (<c>Prewarm:{connectionName}:Enabled=false</c>).
    /// </summary>
    /// <remarks>The one switch to measure or debug without the warm-up, with no code change.</remarks>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>How many physical connections warm-up opens and keeps idle in the pool. <c>Minimum Pool Size</c> is raised to at least this.</summary>
    /// <remarks>Only the app knows its burst size: the k-th request of a burst waits for the k-th warm connection.</remarks>
    /// <value>The default value is 4. It must be between 1 and <c>Maximum Pool Size</c>.</value>
    public int WarmConnections { get; set; } = PrewarmDefaults.WarmConnections;

    // Not public: 8 side by side already turn N round-trip chains into about two (8 sequential opens cost ~4x 8
    // parallel ones at 20 ms RTT), and StartJitter, not this, is what spreads the opens of many instances. Tests set it.
    internal int MaxParallelOpens { get; set; } = PrewarmDefaults.MaxParallelOpens;

    // Not public: the cores the app may run on, which decide whether warming beside the first request costs it (one
    // core: OneCoreTopUp). Environment.ProcessorCount honours the process's affinity and a container's CPU quota, so an
    // app never has a reason to say it. Tests set it.
    internal int ProcessorCount { get; set; } = Environment.ProcessorCount;

    /// <summary>SQL run once on every warmed connection, every row read, so the app's own statements and readers are compiled before traffic.</summary>
    /// <remarks>The warm-up work that configuration alone can set (<c>Prewarm:{connectionName}:WarmupQueries:0</c>); from code, prefer <see cref="WarmupWork"/>.</remarks>
    /// <value>The default value is empty: only the connection is opened.</value>
    public IList<string> WarmupQueries { get; } = [];

    /// <summary>The app's own warm-up work, run once on every warmed connection after <see cref="WarmupQueries"/>: run the real statements with real parameter types.</summary>
    /// <remarks>Only the app knows its statements; without them the first request still pays for its own query path.</remarks>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<NpgsqlConnection, CancellationToken, Task>? WarmupWork { get; set; }

    /// <summary>Whether host start waits for the warm-up.</summary>
    /// <remarks>Depends on the platform: one that routes traffic only to a started instance wants <see cref="PrewarmStartupMode.BlockUntilWarm"/>.</remarks>
    /// <value>The default value is <see cref="PrewarmStartupMode.Background"/>: the Functions host kills a worker that is not initialised in time.</value>
    public PrewarmStartupMode StartupMode { get; set; } = PrewarmStartupMode.Background;

    /// <summary>
    /// With <see cref="PrewarmStartupMode.BlockUntilWarm"/>, the longest host start waits. Also how long a warm-up begun
    /// in <c>AddPrewarmedNpgsql</c> waits for a host to take it over before it is given up.
    /// </summary>
    /// <remarks>Each platform has its own start budget; the default fits the Functions host's.</remarks>
    /// <value>The default value is 20 seconds, under the Functions host's 30-second worker-initialisation budget.</value>
    public TimeSpan StartupTimeout { get; set; } = PrewarmDefaults.StartupTimeout;

    /// <summary>The longest an invocation waits at the gate for <see cref="WarmupState.Warm"/> (<see cref="WarmupCoordinator.WaitForWarmAsync(CancellationToken)"/>).</summary>
    /// <remarks>Trades a slow answer for an error: set it from the callers' own timeout, below an HTTP client's or a trigger's.</remarks>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan GateTimeout { get; set; } = PrewarmDefaults.GateTimeout;

    /// <summary>The total deadline of one warm-up run, retries included. After it the state is <see cref="WarmupState.Degraded"/> and a new run starts after <see cref="RetryMaxDelay"/>.</summary>
    /// <remarks>How long an outage may last before the health check and the gate say so: an operator's choice.</remarks>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan WarmupTimeout { get; set; } = PrewarmDefaults.WarmupTimeout;

    // Not public: RetryMaxDelay is the bound an app cares about (how soon it is warm again); the first step only shapes
    // the curve below it. Tests shorten it.
    internal TimeSpan RetryBaseDelay { get; set; } = PrewarmDefaults.RetryBaseDelay;

    /// <summary>The cap on any retry delay: once the database is back, the pool is warm again within this.</summary>
    /// <remarks>Trades recovery time for load on a recovering server; tens of instances may want it longer.</remarks>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan RetryMaxDelay { get; set; } = PrewarmDefaults.RetryMaxDelay;

    /// <summary>How often the background keep-alive pass validates idle connections and tops the pool up. <see cref="TimeSpan.Zero"/> turns the loop off.</summary>
    /// <remarks>
    /// Shorter when the connection string sets a short <c>Connection Lifetime</c> (at most 10 % of it, checked at
    /// startup) or the network cuts idle flows sooner; zero for a single instance that runs the pass from a timer.
    /// </remarks>
    /// <value>The default value is 2 minutes: see <c>PrewarmDefaults.KeepAliveInterval</c> for why.</value>
    public TimeSpan KeepAliveInterval { get; set; } = PrewarmDefaults.KeepAliveInterval;

    /// <summary>
    /// Each warm-up run (the first, a retry run, a re-warm after a failover) starts after a random delay up to this long,
    /// so instances that start or lose the server together do not all open their connections in the same instant.
    /// </summary>
    /// <remarks>Only the operator knows how many instances start together and how much room the server has.</remarks>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>: a single instance should not pay for it on its first request. Set about 1 second when tens of instances start at once against a server with little room.</value>
    public TimeSpan StartJitter { get; set; }

    /// <summary>
    /// Whether the health check <c>prewarm_{connectionName}</c> is left out. When <see langword="false"/>, it is
    /// registered (tags <c>prewarm</c>, <c>ready</c>).
    /// </summary>
    /// <remarks>For apps whose readiness probe must not depend on the database; named as Aspire's components name it.</remarks>
    /// <value>The default value is <see langword="false"/>: the health check is registered.</value>
    public bool DisableHealthChecks { get; set; }

    /// <summary>
    /// Whether connections authenticate with Microsoft Entra ID access tokens instead of a password.
    /// <see langword="null"/> decides by the connection string: no password means Entra ID.
    /// </summary>
    /// <remarks><see langword="false"/> for a passwordless local cluster (trust authentication), where no token exists.</remarks>
    /// <value>The default value is <see langword="null"/>.</value>
    public bool? UseEntraAuthentication { get; set; }

    /// <summary>
    /// The credential for Entra ID tokens. When null: <c>ManagedIdentityCredential</c> for the user-assigned identity in
    /// <c>AZURE_CLIENT_ID</c> when that variable is set, otherwise <c>DefaultAzureCredential</c> without its managed-identity probe.
    /// </summary>
    /// <remarks>For an app that already has its credential (workload identity, a certificate): one identity, one place.</remarks>
    /// <value>The default value is <see langword="null"/>.</value>
    public TokenCredential? Credential { get; set; }

    // Not public: the managed-identity endpoint can hang, and 10 s bounds that well inside WarmupTimeout; a token request
    // that takes longer is a fault to fix, not a knob. Tests shorten it.
    internal TimeSpan TokenTimeout { get; set; } = PrewarmDefaults.TokenTimeout;

    /// <summary>
    /// The connection goes through PgBouncer in transaction mode (Azure Flexible Server's built-in one listens on 6432).
    /// Sets <c>No Reset On Close=true</c> (the DISCARD ALL sent on every return would run on whichever server
    /// connection the next transaction lands on) and rejects <c>Max Auto Prepare</c> above 0 at startup, because
    /// server-side prepared statements do not survive a transaction there.
    /// </summary>
    /// <remarks>Nothing in the connection string says a PgBouncer is in between: only the app knows.</remarks>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool PgBouncer { get; set; }
}
