namespace Prewarm.Warmup;

// The state and the gate's waiters, behind one lock. Readiness is progressive: the k-th invocation that arrives while
// a run is warming waits for the k-th warmed connection, because Npgsql opens a new, cold, physical connection for
// every Open that finds none idle. So the first invocation passes as soon as one connection has done its warm-up work
// and sits idle, and a burst is served by warm connections as each becomes ready, never by cold ones of its own.
//
// The same reason holds a warm gate for a moment: a keep-alive pass that is about to hold every connection the pool
// has (a pool the server had room for only one or two of) holds the gate too, so an invocation arriving meanwhile
// waits for one to come back instead of opening a connection of its own, which a full server would refuse (and Npgsql
// would then clear the pool).
internal sealed class ReadinessSignal
{
    // The ticket of an invocation waiting out a hold: below every warm-up ticket, so it is first in line.
    private const int HoldTicket = 0;

    private readonly Lock _lock = new();
    private readonly List<Waiter> _waiters = [];
    private volatile WarmupState _state = WarmupState.Cold;
    private volatile bool _held;
    private int _holds;
    private int _ready;
    private int _admitted;
    private TaskCompletionSource _nextWaiter = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WarmupState State => _state;

    /// <summary>Warm and nothing held: the gate's fast path.</summary>
    public bool IsOpen => _state == WarmupState.Warm && !_held;

    /// <summary>Connections the current attempt has warmed and handed back to the pool so far.</summary>
    public int Ready
    {
        get
        {
            lock (_lock)
            {
                return _ready;
            }
        }
    }

    /// <summary>Invocations waiting for a warm connection of the current run.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count(w => w.Ticket != HoldTicket);
            }
        }
    }

    /// <summary>Completes when the next invocation has to wait for a warm connection (more of them wanted than ready).</summary>
    public Task NextWaiter
    {
        get
        {
            lock (_lock)
            {
                return _nextWaiter.Task;
            }
        }
    }

    /// <summary>A run starts: Warming, and the count of ready connections starts over.</summary>
    public void BeginRun()
    {
        lock (_lock)
        {
            if (_state == WarmupState.Stopped)
            {
                return;
            }

            _state = WarmupState.Warming;
            StartOver();
        }
    }

    /// <summary>An attempt starts over (a retry): connections of the failed one no longer count.</summary>
    public void BeginAttempt()
    {
        lock (_lock)
        {
            StartOver();
        }
    }

    // Called under _lock. Invocations still waiting keep their place: renumbered from 1 in order, so the next warm
    // connections are theirs and a newcomer queues behind them. Counting from 0 again would let a newcomer pass at
    // once on a connection one of them is owed (and that one would then open a cold connection of its own).
    private void StartOver()
    {
        _ready = 0;
        _admitted = 0;
        foreach (var waiter in _waiters)
        {
            if (waiter.Ticket != HoldTicket)
            {
                waiter.Ticket = ++_admitted;
            }
        }
    }

    /// <summary>One more connection is warm and idle: the next waiter in line passes. A retry that gets this far after a failed attempt is warming again.</summary>
    public void ConnectionReady()
    {
        lock (_lock)
        {
            if (_state is WarmupState.Degraded)
            {
                _state = WarmupState.Warming;
            }

            if (_state != WarmupState.Warming)
            {
                return;
            }

            _ready++;
            ReleaseWhile(w => w.Ticket <= _ready, result: true);
        }
    }

    /// <summary>Warm: everyone passes. Degraded or Stopped: everyone waiting is turned away.</summary>
    public void Settle(WarmupState state)
    {
        lock (_lock)
        {
            if (_state == WarmupState.Stopped)
            {
                return;
            }

            _state = state;
            if (state is WarmupState.Warm or WarmupState.Degraded or WarmupState.Stopped)
            {
                ReleaseWhile(_ => true, result: state == WarmupState.Warm);
            }
        }
    }

    /// <summary>Waits for this caller's turn, or for the run's end; false when it failed, stopped or took longer than <paramref name="timeout"/>.</summary>
    public async Task<GateOutcome> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            switch (_state)
            {
                case WarmupState.Warm when _holds == 0:
                    return GateOutcome.Warm;
                case WarmupState.Degraded:
                    return GateOutcome.Degraded;
                case WarmupState.Stopped:
                    return GateOutcome.Stopped;
            }

            var ticket = _state == WarmupState.Warm ? HoldTicket : ++_admitted;
            if (ticket != HoldTicket && ticket <= _ready)
            {
                return GateOutcome.Ready;
            }

            waiter = new Waiter(ticket);
            _waiters.Add(waiter);
            if (ticket != HoldTicket)
            {
                _nextWaiter.TrySetResult();
                _nextWaiter = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        try
        {
            var passed = await waiter.Completion.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return passed ? waiter.Ticket == HoldTicket ? GateOutcome.Held : GateOutcome.Waited
                : _state == WarmupState.Stopped ? GateOutcome.Stopped : GateOutcome.Degraded;
        }
        catch (TimeoutException)
        {
            Forget(waiter);
            // A hold that outlasts the gate timeout lets the invocation through: the pool is warm, and opening a
            // connection of its own is what it would have done without the hold.
            return waiter.Ticket == HoldTicket && _state == WarmupState.Warm ? GateOutcome.Held : GateOutcome.TimedOut;
        }
        catch (OperationCanceledException)
        {
            Forget(waiter);
            throw;
        }
    }

    /// <summary>
    /// Holds a warm gate until the returned hold is released (each hold at most once; holds nest). Invocations that
    /// arrive meanwhile wait, up to the gate timeout, and then pass.
    /// </summary>
    public Hold HoldGate()
    {
        lock (_lock)
        {
            _holds++;
            _held = true;
        }

        return new Hold(this);
    }

    private void Release()
    {
        lock (_lock)
        {
            if (--_holds > 0)
            {
                return;
            }

            _held = false;
            ReleaseWhile(w => w.Ticket == HoldTicket, result: true);
        }
    }

    /// <summary>A hold on the gate; releasing it twice is harmless.</summary>
    public sealed class Hold(ReadinessSignal signal) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                signal.Release();
            }
        }
    }

    private void Forget(Waiter waiter)
    {
        lock (_lock)
        {
            _waiters.Remove(waiter);
        }
    }

    // Called under _lock. Waiters are kept in ticket order, so the ones to release are at the front.
    private void ReleaseWhile(Func<Waiter, bool> due, bool result)
    {
        var released = 0;
        while (released < _waiters.Count && due(_waiters[released]))
        {
            _waiters[released].Completion.TrySetResult(result);
            released++;
        }

        _waiters.RemoveRange(0, released);
    }

    private sealed class Waiter(int ticket)
    {
        public int Ticket { get; set; } = ticket;

        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>How an invocation left the gate; the meter's outcome tag.</summary>
internal enum GateOutcome
{
    Warm,
    Ready,
    Waited,
    Held,
    TimedOut,
    Degraded,
    Stopped,
}
