namespace Prewarm.Tests.Infrastructure;

// Microsoft.Extensions.TimeProvider.Testing is not on this machine's NuGet copy, so this is a small stand-in:
// time moves only when a test calls Advance, and timers due by then fire in order on the caller's thread.
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private TaskCompletionSource _timerScheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Timers that will fire within <paramref name="horizon"/> from now.</summary>
    public int PendingTimersWithin(TimeSpan horizon)
    {
        lock (_lock)
        {
            var limit = _now + horizon;
            return _timers.Count(t => t.DueAt <= limit);
        }
    }

    /// <summary>Completes once a timer due within <paramref name="horizon"/> is pending (already or later).</summary>
    public async Task WaitForTimerWithinAsync(TimeSpan horizon, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task next;
            lock (_lock)
            {
                if (_timers.Any(t => t.DueAt <= _now + horizon))
                {
                    return;
                }

                next = _timerScheduled.Task;
            }

            await next.WaitAsync(cancellationToken);
        }
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + by;
        }

        while (true)
        {
            FakeTimer? due;
            lock (_lock)
            {
                due = _timers.Where(t => t.DueAt <= target).MinBy(t => t.DueAt);
                if (due is null)
                {
                    _now = target;
                    return;
                }

                if (due.DueAt > _now)
                {
                    _now = due.DueAt;
                }

                due.Fired();
            }

            due.Invoke();
        }
    }

    private void Schedule(FakeTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        TaskCompletionSource? signal = null;
        lock (_lock)
        {
            _timers.Remove(timer);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                timer.DueAt = _now + dueTime;
                timer.Period = period;
                _timers.Add(timer);
                signal = _timerScheduled;
                _timerScheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        signal?.TrySetResult();
    }

    private void Remove(FakeTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; set; }

        // Called under the owner's lock: a periodic timer is rescheduled, a one-shot one removed.
        public void Fired()
        {
            if (Period > TimeSpan.Zero && Period != Timeout.InfiniteTimeSpan)
            {
                DueAt += Period;
            }
            else
            {
                owner._timers.Remove(this);
            }
        }

        public void Invoke() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Schedule(this, dueTime, period);
            return true;
        }

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
