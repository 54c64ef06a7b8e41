using System.Diagnostics.Metrics;

namespace Prewarm.Warmup;

// Tells when the invocation the gate let through first has run its query: Npgsql records every command's duration
// on its meter ("db.client.operation.duration", measured only while someone listens), and after the first connection
// is handed over, the warm-up runs no command of its own until this fires. The other N-1 connections open after it,
// so their handshakes do not compete for the CPU with that first invocation (measured: on 2 cores they added 60 ms to
// it, and their start 100 ms to the first connection's readiness). Listens only for that moment; a command of another
// data source in the same instant only starts them early.
internal sealed class FirstUseWatch : IDisposable
{
    private const string NpgsqlMeter = "Npgsql";
    private const string CommandDuration = "db.client.operation.duration";

    private readonly MeterListener _listener = new();
    private readonly TaskCompletionSource _used = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FirstUseWatch()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == NpgsqlMeter && instrument.Name == CommandDuration)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => _used.TrySetResult());
        _listener.Start();
    }

    /// <summary>Completes when an Npgsql command has finished since this watch began.</summary>
    public Task Used => _used.Task;

    public void Dispose() => _listener.Dispose();
}
