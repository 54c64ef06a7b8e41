using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Prewarm.Diagnostics;

// One meter and one activity source for the library, with the connection name as a tag on every measurement.
internal sealed class PrewarmInstrumentation
{
    public const string MeterName = "Prewarm";
    public const string ActivitySourceName = "Prewarm";

    private static readonly ActivitySource s_activitySource = new(ActivitySourceName);

    private readonly KeyValuePair<string, object?> _nameTag;
    private readonly Histogram<double> _warmupDuration;
    private readonly Histogram<double> _phaseDuration;
    private readonly Counter<long> _connectionsWarmed;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _gateWaits;
    private readonly Histogram<double> _gateWaitDuration;

    public PrewarmInstrumentation(IMeterFactory meterFactory, string name)
    {
        _nameTag = new("prewarm.name", name);
        var meter = meterFactory.Create(MeterName);
        _warmupDuration = meter.CreateHistogram<double>("prewarm.warmup.duration", "s", "Wall time of a warm-up run, retries included.");
        _phaseDuration = meter.CreateHistogram<double>("prewarm.warmup.phase.duration", "s", "Wall time of each phase of a successful warm-up: token, open, work.");
        _connectionsWarmed = meter.CreateCounter<long>("prewarm.connections.warmed", "{connection}", "Physical connections opened and warmed.");
        _attempts = meter.CreateCounter<long>("prewarm.warmup.attempts", "{attempt}", "Warm-up attempts, retries included.");
        _gateWaits = meter.CreateCounter<long>("prewarm.gate.waits", "{invocation}", "Invocations at the readiness gate, by outcome.");
        _gateWaitDuration = meter.CreateHistogram<double>("prewarm.gate.wait.duration", "s", "Time invocations waited at the gate when not already warm.");
    }

    public static Activity? StartWarmup() => s_activitySource.StartActivity("prewarm.warmup");

    public void WarmupFinished(WarmupReport report)
    {
        _warmupDuration.Record(report.Duration.TotalSeconds, _nameTag, new("prewarm.state", report.State.ToString()));
        _connectionsWarmed.Add(report.ConnectionsWarmed, _nameTag);
        foreach (var (phase, duration) in report.Phases)
        {
            _phaseDuration.Record(duration.TotalSeconds, _nameTag, new("prewarm.phase", phase));
        }
    }

    public void Attempt() => _attempts.Add(1, _nameTag);

    // The warm path of the gate: no allocation (a single tag pair is passed on the stack).
    public void GatePassedWarm() => _gateWaits.Add(1, _nameTag, new("prewarm.outcome", "warm"));

    public void GateWaited(string outcome, TimeSpan waited)
    {
        var outcomeTag = new KeyValuePair<string, object?>("prewarm.outcome", outcome);
        _gateWaits.Add(1, _nameTag, outcomeTag);
        _gateWaitDuration.Record(waited.TotalSeconds, _nameTag, outcomeTag);
    }
}
