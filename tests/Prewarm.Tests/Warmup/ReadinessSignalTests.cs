using Microsoft.Extensions.Time.Testing;
using Prewarm.Warmup;

namespace Prewarm.Tests.Warmup;

// The gate's state and waiters alone: no server, a fake clock for the gate timeout.
public sealed class ReadinessSignalTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly ReadinessSignal _signal = new();

    private Task<GateOutcome> Wait(CancellationToken cancellationToken = default) => _signal.WaitAsync(s_timeout, _time, cancellationToken);

    [Fact]
    public void New_IsCold_AndClosed()
    {
        Assert.Equal(WarmupState.Cold, _signal.State);
        Assert.False(_signal.IsOpen);
    }

    [Fact]
    public async Task TheKthWaiter_PassesWithTheKthWarmConnection()
    {
        _signal.BeginRun();
        var waiters = Enumerable.Range(0, 3).Select(_ => Wait()).ToArray();
        Assert.Equal(3, _signal.Waiting);

        _signal.ConnectionReady();
        Assert.Equal(GateOutcome.Waited, await waiters[0]);
        Assert.False(waiters[1].IsCompleted);

        _signal.ConnectionReady();
        Assert.Equal(GateOutcome.Waited, await waiters[1]);
        Assert.False(waiters[2].IsCompleted);
        Assert.Equal(1, _signal.Waiting);
    }

    [Fact]
    public async Task AWarmConnectionNoWaiterHasTaken_LetsTheNextOneThroughAtOnce()
    {
        _signal.BeginRun();
        _signal.ConnectionReady();

        var first = Wait();
        Assert.True(first.IsCompleted);
        Assert.Equal(GateOutcome.Ready, await first);
        Assert.False(Wait().IsCompleted);
    }

    [Fact]
    public async Task NextWaiter_CompletesWhenAnInvocationHasToWait_NotWhenOnePassesAtOnce()
    {
        _signal.BeginRun();
        _signal.ConnectionReady();
        var next = _signal.NextWaiter;

        Assert.Equal(GateOutcome.Ready, await Wait());
        Assert.False(next.IsCompleted);

        _ = Wait();
        await next;
    }

    [Fact]
    public async Task SettledWarm_EveryWaiterPasses_AndLaterOnesPassAtOnce()
    {
        _signal.BeginRun();
        var waiters = new[] { Wait(), Wait() };

        _signal.Settle(WarmupState.Warm);

        Assert.All(await Task.WhenAll(waiters), o => Assert.Equal(GateOutcome.Waited, o));
        Assert.True(_signal.IsOpen);
        Assert.Equal(GateOutcome.Warm, await Wait());
    }

    [Fact]
    public async Task SettledDegraded_TurnsEveryWaiterAway_AndLaterOnesAtOnce()
    {
        _signal.BeginRun();
        var waiter = Wait();

        _signal.Settle(WarmupState.Degraded);

        Assert.Equal(GateOutcome.Degraded, await waiter);
        var later = Wait();
        Assert.True(later.IsCompleted);
        Assert.Equal(GateOutcome.Degraded, await later);
    }

    [Fact]
    public async Task AConnectionReadyAfterAFailedAttempt_IsWarmingAgain()
    {
        _signal.BeginRun();
        _signal.Settle(WarmupState.Degraded);

        _signal.ConnectionReady();

        Assert.Equal(WarmupState.Warming, _signal.State);
        Assert.Equal(GateOutcome.Ready, await Wait());
    }

    [Fact]
    public void ANewAttempt_NoLongerCountsTheFailedOnesConnections()
    {
        _signal.BeginRun();
        _signal.ConnectionReady();

        _signal.BeginAttempt();

        Assert.Equal(0, _signal.Ready);
        Assert.False(Wait().IsCompleted);
    }

    // Invocations that arrive between a run's start and its attempt's (or wait through a retry) keep their place.
    [Fact]
    public async Task WaitersOfAnAttemptThatStartsOver_KeepTheirPlace_AndANewcomerQueuesBehindThem()
    {
        _signal.BeginRun();
        var waiting = new[] { Wait(), Wait() };

        _signal.BeginAttempt();
        _signal.ConnectionReady();
        _signal.ConnectionReady();

        Assert.All(await Task.WhenAll(waiting), o => Assert.Equal(GateOutcome.Waited, o));
        Assert.False(Wait().IsCompleted);
    }

    [Fact]
    public async Task AWaiterPastTheGateTimeout_TimesOut_AndIsForgotten()
    {
        _signal.BeginRun();
        var waiter = Wait();

        _time.Advance(s_timeout);

        Assert.Equal(GateOutcome.TimedOut, await waiter);
        Assert.Equal(0, _signal.Waiting);
    }

    [Fact]
    public async Task ACancelledWaiter_Throws_AndIsForgotten()
    {
        _signal.BeginRun();
        using var cancel = new CancellationTokenSource();
        var waiter = Wait(cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        Assert.Equal(0, _signal.Waiting);
    }

    [Fact]
    public async Task Stopped_TurnsEveryWaiterAway_AndNothingRevivesIt()
    {
        _signal.BeginRun();
        var waiter = Wait();

        _signal.Settle(WarmupState.Stopped);
        _signal.BeginRun();
        _signal.ConnectionReady();
        _signal.Settle(WarmupState.Warm);

        Assert.Equal(GateOutcome.Stopped, await waiter);
        Assert.Equal(WarmupState.Stopped, _signal.State);
        Assert.Equal(GateOutcome.Stopped, await Wait());
    }

    [Fact]
    public async Task AHeldWarmGate_HoldsArrivals_UntilEveryHoldIsReleased()
    {
        _signal.BeginRun();
        _signal.Settle(WarmupState.Warm);
        var outer = _signal.HoldGate();
        var inner = _signal.HoldGate();
        Assert.False(_signal.IsOpen);

        var waiter = Wait();
        // A hold waiter is not one of the warm-up's: it does not count, nor ask for a connection.
        Assert.Equal(0, _signal.Waiting);

        inner.Dispose();
        inner.Dispose();
        Assert.False(waiter.IsCompleted);

        outer.Dispose();
        Assert.Equal(GateOutcome.Held, await waiter);
        Assert.True(_signal.IsOpen);
    }

    [Fact]
    public async Task AHoldThatOutlastsTheGateTimeout_LetsTheWaiterThrough()
    {
        _signal.BeginRun();
        _signal.Settle(WarmupState.Warm);
        using var hold = _signal.HoldGate();
        var waiter = Wait();

        _time.Advance(s_timeout);

        Assert.Equal(GateOutcome.Held, await waiter);
    }
}
