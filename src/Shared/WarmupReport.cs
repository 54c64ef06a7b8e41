namespace Prewarm;

/// <summary>What one warm-up run did. Never contains a password, a token or a connection string.</summary>
/// <remarks>
/// What an app or an operator acts on: the state, how many connections are warm, when, and why not. Timing per phase,
/// the server's free slots and the SQLSTATE are internal: they reach the meter <c>Prewarm</c> and the logs.
/// </remarks>
public sealed class WarmupReport
{
    /// <summary>The state the run left the coordinator in.</summary>
    public required WarmupState State { get; init; }

    /// <summary>The number of connections the run was asked to warm (<see cref="PrewarmSettings.WarmConnections"/>).</summary>
    public required int ConnectionsRequested { get; init; }

    /// <summary>The number of physical connections opened, warmed and returned to the pool idle.</summary>
    public required int ConnectionsWarmed { get; init; }

    /// <summary>Attempts the run made, the first included.</summary>
    public required int Attempts { get; init; }

    /// <summary>Wall time of the whole run, retries and backoff included.</summary>
    public required TimeSpan Duration { get; init; }

    // Wall time per phase of the successful attempt: Token (Entra ID only), Open and Work of the first connection, then
    // Rest, the other connections side by side, from when they began (after the first invocation's query when one was
    // waiting for the first connection). Empty when no attempt succeeded. Recorded as prewarm.warmup.phase.duration.
    internal IReadOnlyDictionary<WarmupPhase, TimeSpan> Phases { get; init; } = new Dictionary<WarmupPhase, TimeSpan>();

    /// <summary>The last failure, redacted: exception type, SQLSTATE and message; null when the run succeeded first time.</summary>
    public string? LastError { get; init; }

    // The SQLSTATE of the last failure when the server sent one (for example 28P01): LastError carries it (a
    // PostgresException's message begins with it), and the log line of a failure that is not retried names it.
    internal string? SqlState { get; init; }

    /// <summary>From the start of the successful run to the moment its first connection was warm and idle: when the gate began to let invocations through.</summary>
    public TimeSpan? FirstConnectionReady { get; init; }

    /// <summary>From the start of the successful run to the moment the last of its connections was warm and idle.</summary>
    public TimeSpan? AllConnectionsReady { get; init; }

    // Free slots the run saw on the server (for this role and database) before it opened more than one connection; null
    // when it did not look (one connection, PgBouncer, or the run failed first). Logged when they limit the pool.
    internal int? FreeSlots { get; init; }

    /// <summary>When the run ended.</summary>
    public required DateTimeOffset CompletedAt { get; init; }

    // The same report in another state: a failed attempt while a recovery is still within the gate's patience reads as
    // warming. Copies (what `with` did while this was a record), so a report once handed out never changes.
    internal WarmupReport WithState(WarmupState state) => Copy(state, FirstConnectionReady, AllConnectionsReady, FreeSlots);

    // The successful run's report with when its connections were ready and the room it saw.
    internal WarmupReport WithReadiness(TimeSpan? firstConnectionReady, TimeSpan? allConnectionsReady, int? freeSlots) =>
        Copy(State, firstConnectionReady, allConnectionsReady, freeSlots);

    private WarmupReport Copy(WarmupState state, TimeSpan? firstConnectionReady, TimeSpan? allConnectionsReady, int? freeSlots) => new()
    {
        State = state,
        ConnectionsRequested = ConnectionsRequested,
        ConnectionsWarmed = ConnectionsWarmed,
        Attempts = Attempts,
        Duration = Duration,
        Phases = Phases,
        LastError = LastError,
        SqlState = SqlState,
        FirstConnectionReady = firstConnectionReady,
        AllConnectionsReady = allConnectionsReady,
        FreeSlots = freeSlots,
        CompletedAt = CompletedAt,
    };
}
