using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Prewarm.Functions.Gate;

namespace Prewarm.Functions.Tests.Infrastructure;

/// <summary>Records the gate's invocation counter of one host (meters from its IMeterFactory carry it as Scope).</summary>
internal sealed class GateMetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Function, string Outcome)> _measurements = [];

    public GateMetricsRecorder(IServiceProvider services)
    {
        var scope = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GateMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? function = null, outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "faas.name")
                {
                    function = tag.Value as string;
                }
                else if (tag.Key == "prewarm.gate")
                {
                    outcome = tag.Value as string;
                }
            }

            lock (_measurements)
            {
                _measurements.Add((function!, outcome!));
            }
        });
        _listener.Start();
    }

    public IReadOnlyList<string> Outcomes(string function)
    {
        lock (_measurements)
        {
            return _measurements.Where(m => m.Function == function).Select(m => m.Outcome).ToList();
        }
    }

    public void Dispose() => _listener.Dispose();
}
