namespace Prewarm;

/// <summary>What one keep-alive pass did.</summary>
public sealed class KeepAliveReport
{
    /// <summary>The coordinator's state after the pass.</summary>
    public required WarmupState State { get; init; }

    /// <summary>Warm connections after the pass: <see cref="PrewarmSettings.WarmConnections"/>, or fewer while the server has no room for more.</summary>
    public required int Connections { get; init; }

    // Free slots the pass saw on the server (for this role and database); null when it did not look (PgBouncer). In the
    // pass's log line, not public: no app acts on it.
    internal int? FreeSlots { get; init; }

    /// <summary>Pooled connections that answered a ping.</summary>
    public required int Validated { get; init; }

    /// <summary>Pooled connections found dead and replaced.</summary>
    public required int Replaced { get; init; }

    /// <summary>Physical connections the pass opened (replacements and top-up).</summary>
    public required int Opened { get; init; }

    /// <summary>Connections retired before their <c>Connection Lifetime</c> (each at its own jittered age) and replaced.</summary>
    public required int Retired { get; init; }

    // Connections given back because the server had fewer free slots than the reserve kept for instances that hold none
    // (one per pass at most, never the last). In the pass's log line, not public: no app acts on it.
    internal int Shed { get; init; }

    /// <summary>Wall time of the pass.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>When the pass ended.</summary>
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>Why the pass could not finish, redacted; null when it did.</summary>
    public string? LastError { get; init; }
}
