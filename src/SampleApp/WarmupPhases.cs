using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Prewarm.SampleApp;

/// <summary>
/// The warm-up's phase times for <c>/startup</c> (the lab's open and work columns), read where the library publishes
/// them: the meter <c>Prewarm</c>, histogram <c>prewarm.warmup.phase.duration</c>, tag <c>prewarm.phase</c>. Created
/// before the host is built, since the library records a run that ended early the moment the host attaches its meter.
/// </summary>
internal sealed class WarmupPhases : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _milliseconds = new(StringComparer.Ordinal);

    public WarmupPhases()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Meter.Name: "Prewarm", Name: "prewarm.warmup.phase.duration" })
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnPhase);
        _listener.Start();
    }

    /// <summary>The last successful run's phase (<c>open</c>, <c>work</c>) in milliseconds; null before one.</summary>
    public double? Milliseconds(string phase) => _milliseconds.TryGetValue(phase, out var ms) ? ms : null;

    public void Dispose() => _listener.Dispose();

    private void OnPhase(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag is { Key: "prewarm.phase", Value: string phase })
            {
                _milliseconds[phase] = seconds * 1000;
            }
        }
    }
}
