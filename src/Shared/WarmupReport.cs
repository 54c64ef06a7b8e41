namespace Prewarm;

/// <summary>What one warm-up run did. Never contains a password, a token or a connection string.</summary>
public sealed record WarmupReport
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

    /// <summary>
    /// Wall time per phase of the successful attempt: <see cref="WarmupPhase.Token"/> (Entra ID only),
    /// <see cref="WarmupPhase.Open"/> and <see cref="WarmupPhase.Work"/> of the first connection, then
    /// <see cref="WarmupPhase.Rest"/>, the other connections side by side, from when they began (after the first
    /// invocation's query when one was waiting for the first connection). Empty when no attempt succeeded.
    /// </summary>
    public required IReadOnlyDictionary<WarmupPhase, TimeSpan> Phases { get; init; }

    /// <summary>The last failure, redacted: exception type, SQLSTATE and message; null when the run succeeded first time.</summary>
    public string? LastError { get; init; }

    /// <summary>The SQLSTATE of the last failure when the server sent one (for example <c>28P01</c>).</summary>
    public string? SqlState { get; init; }

    /// <summary>From the start of the successful run to the moment its first connection was warm and idle: when the gate began to let invocations through.</summary>
    public TimeSpan? FirstConnectionReady { get; init; }

    /// <summary>From the start of the successful run to the moment the last of its connections was warm and idle.</summary>
    public TimeSpan? AllConnectionsReady { get; init; }

    /// <summary>
    /// Free slots the run saw on the server (for this role and database) before it opened more than one connection;
    /// null when it did not look (one connection, PgBouncer, or the run failed first).
    /// </summary>
    public int? FreeSlots { get; init; }

    /// <summary>When the run ended.</summary>
    public required DateTimeOffset CompletedAt { get; init; }
}
