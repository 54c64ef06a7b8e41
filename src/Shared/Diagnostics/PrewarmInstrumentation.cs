using System.Diagnostics;
using System.Diagnostics.Metrics;
using Prewarm.Warmup;

namespace Prewarm.Diagnostics;

// One meter and one activity source for the library, with the connection name as a tag on every measurement. The
// warm-up starts inside AddPrewarmedNpgsql, before the host's IMeterFactory exists: the instruments are created when
// the host takes the warm-up over (Attach), and a run that finished before that is recorded then.
internal sealed class PrewarmInstrumentation(string name)
{
    public const string MeterName = "Prewarm";
    public const string ActivitySourceName = "Prewarm";

    private static readonly ActivitySource s_activitySource = new(ActivitySourceName);

    private readonly KeyValuePair<string, object?> _nameTag = new("prewarm.name", name);
    private readonly Lock _lock = new();
    private Instruments? _instruments;
    private WarmupReport? _unrecorded;
    private long _unrecordedAttempts;

    public static Activity? StartWarmup() => s_activitySource.StartActivity("prewarm.warmup");

    public void Attach(IMeterFactory meterFactory)
    {
        lock (_lock)
        {
            if (_instruments is not null)
            {
                return;
            }

            _instruments = new Instruments(meterFactory.Create(MeterName));
            _instruments.Attempts.Add(_unrecordedAttempts, _nameTag);
            if (_unrecorded is { } report)
            {
                Record(_instruments, report);
            }
        }
    }

    public void WarmupFinished(WarmupReport report)
    {
        lock (_lock)
        {
            if (_instruments is { } instruments)
            {
                Record(instruments, report);
            }
            else
            {
                _unrecorded = report;
            }
        }
    }

    public void Attempt()
    {
        lock (_lock)
        {
            if (_instruments is { } instruments)
            {
                instruments.Attempts.Add(1, _nameTag);
            }
            else
            {
                _unrecordedAttempts++;
            }
        }
    }

    // The warm path of the gate: no lock and no allocation (a single tag pair is passed on the stack). Invocations only
    // reach the gate once the host has started, so the instruments exist by then.
    public void GatePassedWarm() => Volatile.Read(ref _instruments)?.GateWaits.Add(1, _nameTag, new("prewarm.outcome", "warm"));

    public void GateWaited(GateOutcome outcome, TimeSpan waited)
    {
        if (Volatile.Read(ref _instruments) is not { } instruments)
        {
            return;
        }

        var outcomeTag = new KeyValuePair<string, object?>("prewarm.outcome", outcome switch
        {
            GateOutcome.Warm => "warm",
            GateOutcome.Ready => "ready",
            GateOutcome.Waited => "waited",
            GateOutcome.Held => "held",
            GateOutcome.TimedOut => "timeout",
            GateOutcome.Degraded => "degraded",
            _ => "stopped",
        });
        instruments.GateWaits.Add(1, _nameTag, outcomeTag);
        instruments.GateWaitDuration.Record(waited.TotalSeconds, _nameTag, outcomeTag);
    }

    private void Record(Instruments instruments, WarmupReport report)
    {
        instruments.WarmupDuration.Record(report.Duration.TotalSeconds, _nameTag, new("prewarm.state", report.State.ToString()));
        instruments.ConnectionsWarmed.Add(report.ConnectionsWarmed, _nameTag);
        foreach (var (phase, duration) in report.Phases)
        {
            instruments.PhaseDuration.Record(duration.TotalSeconds, _nameTag, new("prewarm.phase", PhaseTag(phase)));
        }
    }

    // The tag values dashboards already group by; lower case, as OpenTelemetry attribute values are.
    private static string PhaseTag(WarmupPhase phase) => phase switch
    {
        WarmupPhase.Token => "token",
        WarmupPhase.Open => "open",
        WarmupPhase.Work => "work",
        _ => "rest",
    };

    private sealed class Instruments(Meter meter)
    {
        public Histogram<double> WarmupDuration { get; } = meter.CreateHistogram<double>("prewarm.warmup.duration", "s", "Wall time of a warm-up run, retries included.");

        public Histogram<double> PhaseDuration { get; } = meter.CreateHistogram<double>("prewarm.warmup.phase.duration", "s", "Wall time of each phase of a successful warm-up: token, open, work, rest.");

        public Counter<long> ConnectionsWarmed { get; } = meter.CreateCounter<long>("prewarm.connections.warmed", "{connection}", "Physical connections opened and warmed.");

        public Counter<long> Attempts { get; } = meter.CreateCounter<long>("prewarm.warmup.attempts", "{attempt}", "Warm-up attempts, retries included.");

        public Counter<long> GateWaits { get; } = meter.CreateCounter<long>("prewarm.gate.waits", "{invocation}", "Invocations at the readiness gate, by outcome.");

        public Histogram<double> GateWaitDuration { get; } = meter.CreateHistogram<double>("prewarm.gate.wait.duration", "s", "Time invocations waited at the gate when not already warm.");
    }
}
