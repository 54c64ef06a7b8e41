using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Prewarm.Warmup;

// When an invocation has run its query, from Npgsql's own meters. On more cores ConnectionWarmer waits for FirstCommand
// (the one invocation waiting for the first connection has run its query, so the others' handshakes no longer compete
// with it). On one core (OneCoreTopUp): whether an invocation may be in flight, so that the warm-up's remaining opens begin only
// in a pause. The library never sees an invocation end, so "in flight" is judged from the signals it has:
// - the gate (noted by the coordinator; on the fast path one volatile write): an invocation waits there, or passed it
//   and has run no command since: it is in flight until a command of this data source ends after its pass (its first
//   query), or for IdleBound if it never runs one. Between the gate and its Open an invocation on one core may spend
//   hundreds of milliseconds of its own first-call JIT, and an open begun then would take the warm connection from it;
// - Npgsql's command meter ("db.client.operation.duration" of this data source): a command ended;
// - Npgsql's connection meter ("db.client.connection.count", state "used"): a connection of this data source is busy
//   (NpgsqlDataSource.Statistics is internal in Npgsql 10.0.3; this observable instrument reports the same numbers).
// Nothing busy is not yet a pause: QuietTime must pass after the last gate pass or command's end, because a served
// response still has work after its connection is back (its serialization, the host's reply, their first JIT).
// Real time, not the injected clock: these wait for real invocations, which no test clock drives.
internal sealed class InFlightWatch(string poolName)
{
    private const string NpgsqlMeter = "Npgsql";
    private const string CommandDuration = "db.client.operation.duration";
    private const string ConnectionCount = "db.client.connection.count";
    private const string PoolNameTag = "db.client.connection.pool.name";
    private const string StateTag = "db.client.connection.state";

    // Long enough for a served response's own CPU after its query (a few ms warm, tens of ms the first time on one
    // core), short enough that the pool is topped up within a second or two of a pause.
    public static readonly TimeSpan QuietTime = TimeSpan.FromMilliseconds(200);

    // A few seconds: long enough that a request sent right after start (a deployment's smoke test, the platform's first
    // routed request) is the one served first, short enough that a burst a little later finds the pool full. Also how
    // long an invocation that passed the gate but runs no command is taken to be in flight.
    public static readonly TimeSpan IdleBound = TimeSpan.FromSeconds(3);

    // How often a busy pool is looked at again: the meter tells when a command ends, not when its connection is back.
    private static readonly TimeSpan BusyPoll = TimeSpan.FromMilliseconds(50);

    private readonly TaskCompletionSource _firstCommand = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MeterListener? _listener;
    private long _lastPass;
    private long _lastCommand;
    private int _used;
    private int _atGate;

    /// <summary>Completes when a command of this data source has ended while the watch listened.</summary>
    public Task FirstCommand => _firstCommand.Task;

    /// <summary>An invocation passed the gate at once.</summary>
    public void GatePassed() => Volatile.Write(ref _lastPass, Stopwatch.GetTimestamp());

    /// <summary>An invocation waits at the gate: counted before it waits, so one released but not yet running still counts.</summary>
    public void Entered() => Interlocked.Increment(ref _atGate);

    /// <summary>An invocation left the gate (passed or turned away).</summary>
    public void Left()
    {
        GatePassed();
        Interlocked.Decrement(ref _atGate);
    }

    /// <summary>Listens to Npgsql's meters until the returned listener is disposed (an enabled instrument costs every command a little).</summary>
    public IDisposable Listen()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == NpgsqlMeter && instrument.Name is CommandDuration or ConnectionCount)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            if (IsOurs(tags, out _))
            {
                Volatile.Write(ref _lastCommand, Stopwatch.GetTimestamp());
                _firstCommand.TrySetResult();
            }
        });
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            if (IsOurs(tags, out var used) && used)
            {
                Volatile.Write(ref _used, value);
            }
        });
        listener.Start();
        _listener = listener;
        return listener;
    }

    /// <summary>Returns once nothing is in flight and nothing happened for <see cref="QuietTime"/>.</summary>
    public async Task WaitUntilQuietAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Observable instruments report only when asked: this reads the pool's busy count now.
            Volatile.Write(ref _used, 0);
            _listener?.RecordObservableInstruments();
            var pass = Volatile.Read(ref _lastPass);
            var command = Volatile.Read(ref _lastCommand);
            var passedWithoutQuery = pass > command && Stopwatch.GetElapsedTime(pass) < IdleBound;
            var busy = Volatile.Read(ref _used) > 0 || Volatile.Read(ref _atGate) > 0 || passedWithoutQuery;
            var since = Stopwatch.GetElapsedTime(Math.Max(pass, command));
            if (!busy && since >= QuietTime)
            {
                return;
            }

            await Task.Delay(busy ? BusyPoll : QuietTime - since, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool IsOurs(ReadOnlySpan<KeyValuePair<string, object?>> tags, out bool used)
    {
        var ours = false;
        used = false;
        foreach (var tag in tags)
        {
            ours |= tag.Key == PoolNameTag && poolName.Equals(tag.Value as string, StringComparison.Ordinal);
            used |= tag.Key == StateTag && "used".Equals(tag.Value as string, StringComparison.Ordinal);
        }

        return ours;
    }
}
