using Microsoft.Extensions.Time.Testing;

namespace Prewarm.Tests.Infrastructure;

// Microsoft's FakeTimeProvider is the clock: time, Advance and the firing of due timers are all its own. It keeps
// its timers internal, though, and some tests must know two things about them: that the code under test has armed
// a timer (advance before that and the timer is armed after the jump, so it never fires), and that it armed none
// (the proof that nothing was rescheduled). This subclass only watches the timers the code creates through it.
public sealed class TimerTrackingTimeProvider : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<TrackedTimer> _armed = [];
    private TaskCompletionSource _timerArmed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TrackedTimer(this);
        timer.Inner = base.CreateTimer(
            s =>
            {
                timer.Fired();
                callback(s);
            },
            state,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Timers armed to fire within <paramref name="horizon"/> from now.</summary>
    public int PendingTimersWithin(TimeSpan horizon)
    {
        var limit = GetUtcNow() + horizon;
        lock (_lock)
        {
            return _armed.Count(t => t.DueAt <= limit);
        }
    }

    /// <summary>Completes once a timer due within <paramref name="horizon"/> is armed (already or later).</summary>
    public async Task WaitForTimerWithinAsync(TimeSpan horizon, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task next;
            lock (_lock)
            {
                next = _timerArmed.Task;
            }

            if (PendingTimersWithin(horizon) > 0)
            {
                return;
            }

            await next.WaitAsync(cancellationToken);
        }
    }

    private void Track(TrackedTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        var now = GetUtcNow();
        lock (_lock)
        {
            _armed.Remove(timer);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                timer.DueAt = now + dueTime;
                timer.Period = period;
                _armed.Add(timer);
            }
        }
    }

    // Raised only once Microsoft's timer is armed too, so a test that advances on this signal never jumps ahead of it.
    private void SignalArmed()
    {
        TaskCompletionSource armed;
        lock (_lock)
        {
            armed = _timerArmed;
            _timerArmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        armed.TrySetResult();
    }

    private void Untrack(TrackedTimer timer)
    {
        lock (_lock)
        {
            _armed.Remove(timer);
        }
    }

    private sealed class TrackedTimer(TimerTrackingTimeProvider owner) : ITimer
    {
        private bool _disposed;

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; set; }

        // Mirrors Microsoft's bookkeeping: a periodic timer moves on by one period, a one-shot timer is done.
        public void Fired()
        {
            lock (owner._lock)
            {
                if (Period > TimeSpan.Zero && Period != Timeout.InfiniteTimeSpan)
                {
                    DueAt += Period;
                }
                else
                {
                    owner._armed.Remove(this);
                }
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (Volatile.Read(ref _disposed))
            {
                return false;
            }

            // Tracked first: a timer already due fires inside Inner.Change, and Fired must find it.
            owner.Track(this, dueTime, period);
            var changed = Inner.Change(dueTime, period);
            owner.SignalArmed();
            return changed;
        }

        public void Dispose()
        {
            Volatile.Write(ref _disposed, true);
            owner.Untrack(this);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
