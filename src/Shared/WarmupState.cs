namespace Prewarm;

/// <summary>Where a prewarmed data source stands.</summary>
public enum WarmupState
{
    /// <summary>Nothing has been opened yet.</summary>
    Cold,

    /// <summary>A warm-up run is opening connections and running the warm-up work.</summary>
    Warming,

    /// <summary>The pool holds the warmed connections; invocations pass the gate at once.</summary>
    Warm,

    /// <summary>The last attempt failed; <see cref="WarmupReport.LastError"/> says why. Transient failures keep being retried in the background.</summary>
    Degraded,

    /// <summary>The host is stopping or stopped; the data source is disposed.</summary>
    Stopped,
}
