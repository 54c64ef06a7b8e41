using System.Diagnostics.Metrics;

namespace Prewarm.Functions.Health;

/// <summary>
/// Live pool numbers for Health, read from Npgsql's own metrics (meter "Npgsql": db.client.connection.count by
/// state, db.client.connection.max) for the pool named after the connection: Npgsql has no other public pool API,
/// and reading them costs no round trip to the database.
/// </summary>
// Public only because HealthFunction's constructor takes it, and the worker activates functions through public constructors.
public sealed class PoolStatistics : IDisposable
{
    private const string NpgsqlMeter = "Npgsql";
    private const string CountInstrument = "db.client.connection.count";
    private const string MaxInstrument = "db.client.connection.max";

    private readonly string _poolName;
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private int _idle;
    private int _used;
    private int _max;
    private bool _seen;

    internal PoolStatistics(string poolName)
    {
        _poolName = poolName;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == NpgsqlMeter && instrument.Name is CountInstrument or MaxInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>The pool's connections now, or null when Npgsql reports no pool of that name (not opened yet).</summary>
    internal PoolNumbers? Read()
    {
        lock (_lock)
        {
            (_idle, _used, _max, _seen) = (0, 0, 0, false);
            // Observable instruments report on the calling thread, inside this call.
            _listener.RecordObservableInstruments();
            return _seen ? new PoolNumbers(_idle, _used, _max) : null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, int value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? pool = null, connectionState = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "db.client.connection.pool.name":
                    pool = tag.Value as string;
                    break;
                case "db.client.connection.state":
                    connectionState = tag.Value as string;
                    break;
            }
        }

        if (pool != _poolName)
        {
            return;
        }

        _seen = true;
        switch (instrument.Name, connectionState)
        {
            case (MaxInstrument, _):
                // A setting of the pool, not a count: a second data source of the same name (a test process holds
                // several, a host that was never built keeps its own until StartupTimeout) must not add to it.
                _max = Math.Max(_max, value);
                break;
            case (CountInstrument, "idle"):
                _idle += value;
                break;
            case (CountInstrument, "used"):
                _used += value;
                break;
        }
    }
}

/// <summary>One reading of the pool.</summary>
/// <param name="Idle">Open connections waiting in the pool.</param>
/// <param name="Busy">Open connections handed out.</param>
/// <param name="Max">Maximum Pool Size.</param>
public sealed record PoolNumbers(int Idle, int Busy, int Max);
