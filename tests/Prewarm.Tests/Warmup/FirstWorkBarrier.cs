using Npgsql;

namespace Prewarm.Tests.Warmup;

// Warm-up work that holds the first connection in its work until released; the others' work returns at once. Entered
// completes once the first connection is open and in its work, so "still warming" is a fact the test arranged.
internal sealed class FirstWorkBarrier
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    public Task Entered => _entered.Task;

    public void Release() => _released.SetResult();

    public Task Work(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _calls) > 1)
        {
            return Task.CompletedTask;
        }

        _entered.SetResult();
        return _released.Task.WaitAsync(cancellationToken);
    }
}
