namespace Prewarm.SampleApp;

/// <summary>What the app did before serving, for the lab's "warm-up wall time" column.</summary>
internal sealed class StartupTimings(StartupStrategy strategy)
{
    public StartupStrategy Strategy { get; } = strategy;

    /// <summary>Set by the <c>select1</c> hook; the <c>prewarm</c> strategy reports the coordinator's own number instead.</summary>
    public TimeSpan? WarmupWallTime { get; set; }

    /// <summary>When the <c>select1</c> hook had its connection open and back in the pool (wall clock, for the lab's start → ready split).</summary>
    public DateTimeOffset? ReadyAt { get; set; }
}
