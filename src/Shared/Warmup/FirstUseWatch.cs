using System.Diagnostics.Metrics;

namespace Prewarm.Warmup;

// Tells when the invocation the gate let through first has run its query: Npgsql records every command's duration
// on its meter ("db.client.operation.duration", measured only while someone listens), and after the first connection
// is handed over, the warm-up runs no command of its own until this fires. The other N-1 connections open after it,
// so their handshakes do not compete for the CPU with that first invocation (measured: on 2 cores they added 60 ms to
// it, and their start 100 ms to the first connection's readiness). Listens only for that moment, and only to this
// data source's commands (by the pool name DataSourceFactory gives it): a command of another one must not start them
// while the invocation has yet to take the first connection, or it would find none idle and open a cold one. A data
// source the app named itself is not recognised: its others then wait for the bound or a second invocation instead.
internal sealed class FirstUseWatch : IDisposable
{
    private const string NpgsqlMeter = "Npgsql";
    private const string CommandDuration = "db.client.operation.duration";
    private const string PoolNameTag = "db.client.connection.pool.name";

    private readonly MeterListener _listener = new();
    private readonly TaskCompletionSource _used = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FirstUseWatch(string poolName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == NpgsqlMeter && instrument.Name == CommandDuration)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == PoolNameTag && poolName.Equals(tag.Value as string, StringComparison.Ordinal))
                {
                    _used.TrySetResult();
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Completes when a command of the data source named <c>poolName</c> has finished since this watch began.</summary>
    public Task Used => _used.Task;

    public void Dispose() => _listener.Dispose();
}
