namespace Prewarm.Tests.Infrastructure;

// The "nothing was rescheduled" assertions are only as good as the tracking under them: it must see a timer armed
// through the clock, and forget it once it fired, was disarmed or disposed.
public sealed class TimerTrackingTimeProviderTests
{
    [Fact]
    public async Task Delay_IsPendingWithinItsDueTimeOnly_UntilItFires()
    {
        var time = new TimerTrackingTimeProvider();

        var delay = Task.Delay(TimeSpan.FromSeconds(2), time);

        Assert.Equal(1, time.PendingTimersWithin(TimeSpan.FromSeconds(2)));
        Assert.Equal(0, time.PendingTimersWithin(TimeSpan.FromSeconds(1)));
        time.Advance(TimeSpan.FromSeconds(2));
        await delay.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, time.PendingTimersWithin(TimeSpan.FromDays(1)));
    }

    [Fact]
    public void PeriodicTimer_StaysPending_OnePeriodAhead()
    {
        var time = new TimerTrackingTimeProvider();
        var fired = 0;
        using var timer = time.CreateTimer(_ => Interlocked.Increment(ref fired), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, Volatile.Read(ref fired));
        Assert.Equal(0, time.PendingTimersWithin(TimeSpan.FromMilliseconds(999)));
        Assert.Equal(1, time.PendingTimersWithin(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void DisarmedOrDisposed_IsNotPending()
    {
        var time = new TimerTrackingTimeProvider();
        using var disarmed = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        var disposed = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        Assert.Equal(2, time.PendingTimersWithin(TimeSpan.FromSeconds(1)));

        disarmed.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        disposed.Dispose();

        Assert.Equal(0, time.PendingTimersWithin(TimeSpan.FromDays(1)));
    }

    [Fact]
    public async Task WaitForTimerWithin_CompletesWhenATimerInTheHorizonIsArmed_NotBefore()
    {
        var time = new TimerTrackingTimeProvider();
        using var far = time.CreateTimer(_ => { }, null, TimeSpan.FromMinutes(5), Timeout.InfiniteTimeSpan);

        var waiting = time.WaitForTimerWithinAsync(TimeSpan.FromSeconds(5));
        Assert.False(waiting.IsCompleted);
        using var near = time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
