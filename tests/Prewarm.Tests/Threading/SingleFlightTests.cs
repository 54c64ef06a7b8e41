using Prewarm.Threading;

namespace Prewarm.Tests.Threading;

// The work is a TaskCompletionSource the test completes, so "still running" and "done" are states the test sets,
// never moments it waits for.
public sealed class SingleFlightTests
{
    // Only a guard against a hang turning into a stuck test run; a passing test never waits this long.
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(30);

    private readonly SingleFlight<int> _flight = new();
    private int _starts;

    [Fact]
    public async Task Join_WhileRunning_ReturnsTheRunningWorkWithoutStartingMore()
    {
        var work = new TaskCompletionSource<int>();
        var first = _flight.Join(Counted(work));

        var second = _flight.Join(Counted(new TaskCompletionSource<int>()));
        work.SetResult(7);

        Assert.Same(first, second);
        Assert.Equal(7, await second);
        Assert.Equal(1, _starts);
    }

    [Fact]
    public async Task Join_AfterWorkEnded_StartsNewWork()
    {
        await _flight.Join(Counted(Completed(1)));

        var next = await _flight.Join(Counted(Completed(2)));

        Assert.Equal(2, next);
        Assert.Equal(2, _starts);
    }

    [Fact]
    public async Task Join_Starting_RunsOnlyForNewWork()
    {
        var work = new TaskCompletionSource<int>();
        var starting = 0;

        var first = _flight.Join(Counted(work), () => starting++);
        _ = _flight.Join(Counted(work), () => starting++);
        work.SetResult(1);
        await first;
        await _flight.Join(Counted(Completed(2)), () => starting++);

        Assert.Equal(2, starting);
    }

    [Fact]
    public async Task Join_WorkThrows_FaultsWithTheWorksExceptionAndNextJoinStartsAfresh()
    {
        var failure = new InvalidOperationException("boom");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => _flight.Join(() => Task.FromException<int>(failure)));
        var next = await _flight.Join(Counted(Completed(3)));

        Assert.Same(failure, thrown);
        Assert.Equal(3, next);
    }

    [Fact]
    public async Task Join_WorkCanceled_IsCanceledWithTheWorksToken()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var task = _flight.Join(() => Task.FromCanceled<int>(cancellation.Token));
        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);

        // Canceled, not faulted: callers tell a stop from a failure by the task's state.
        Assert.True(task.IsCanceled);
        Assert.Equal(cancellation.Token, thrown.CancellationToken);
    }

    [Fact]
    public async Task Join_CallerBlocksInItsContinuation_OtherCallersContinuationsStillRun()
    {
        var work = new TaskCompletionSource<int>();
        var task = _flight.Join(() => work.Task);
        using var otherRan = new ManualResetEventSlim();

        // Registered first and synchronous: if the work's completion ran continuations inline, this one would hold
        // the completing thread and the other caller's continuation would never run while it waits.
        var blocking = task.ContinueWith(_ => otherRan.Wait(s_hangGuard), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _ = task.ContinueWith(_ => otherRan.Set(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        work.SetResult(1);

        Assert.True(await blocking);
    }

    [Fact]
    public async Task TryStart_WhenIdle_StartsTheWorkAndReturnsTrue()
    {
        await AssertTryStartRuns(5);

        Assert.Equal(1, _starts);
    }

    [Fact]
    public async Task TryStart_WhileRunning_ReturnsFalseAndStartsNothing()
    {
        var work = new TaskCompletionSource<int>();
        var starting = 0;
        _ = _flight.Join(Counted(work));

        var started = _flight.TryStart(Counted(Completed(2)), () => starting++);
        var current = _flight.Current;
        work.SetResult(1);

        Assert.False(started);
        Assert.Equal(0, starting);
        Assert.Equal(1, await current!);
        Assert.Equal(1, _starts);
    }

    [Fact]
    public async Task TryStart_AfterWorkEnded_StartsNewWork()
    {
        await _flight.Join(Counted(Completed(1)));

        await AssertTryStartRuns(2);
    }

    [Fact]
    public async Task IsRunning_WhileWorkRuns_IsTrueAndAfterItEnds_IsFalse()
    {
        var work = new TaskCompletionSource<int>();
        var task = _flight.Join(() => work.Task);

        var whileRunning = _flight.IsRunning;
        work.SetResult(1);
        await task;

        Assert.True(whileRunning);
        Assert.False(_flight.IsRunning);
    }

    [Fact]
    public void Current_BeforeAnyWork_IsNull()
    {
        Assert.Null(_flight.Current);
        Assert.False(_flight.IsRunning);
    }

    [Fact]
    public async Task Current_AfterWorkEnded_IsNull()
    {
        await _flight.Join(Counted(Completed(1)));

        Assert.Null(_flight.Current);
    }

    // TryStart returns true and the work it started is the current one, with the value only that work gives.
    private async Task AssertTryStartRuns(int value)
    {
        var work = new TaskCompletionSource<int>();

        var started = _flight.TryStart(Counted(work));
        var current = _flight.Current;
        work.SetResult(value);

        Assert.True(started);
        Assert.NotNull(current);
        Assert.Equal(value, await current);
    }

    private Func<Task<int>> Counted(TaskCompletionSource<int> work) => () =>
    {
        Interlocked.Increment(ref _starts);
        return work.Task;
    };

    private static TaskCompletionSource<int> Completed(int value)
    {
        var work = new TaskCompletionSource<int>();
        work.SetResult(value);
        return work;
    }
}
