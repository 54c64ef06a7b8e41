namespace Prewarm.Functions.TestHost;

/// <summary>When each start-up step ended, as <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> values (0: not reached).</summary>
public sealed class WorkerTimeline
{
    /// <summary>Just before the worker process was started.</summary>
    public long Started { get; internal set; }

    /// <summary>The worker's StartStream arrived.</summary>
    public long StartStream { get; internal set; }

    /// <summary>The worker's WorkerInitResponse arrived.</summary>
    public long Initialized { get; internal set; }

    /// <summary>The last FunctionLoadResponse arrived: the worker can be invoked.</summary>
    public long Loaded { get; internal set; }
}
