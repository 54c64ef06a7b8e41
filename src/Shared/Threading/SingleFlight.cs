namespace Prewarm.Threading;

// One piece of work at a time: callers that arrive while it runs share it, the next caller after it ends starts a new
// one. Warm-up runs, keep-alive passes and Entra token fetches all need exactly this.
internal sealed class SingleFlight<T>
{
    private readonly Lock _lock = new();
    private Task<T>? _current;

    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _current is { IsCompleted: false };
            }
        }
    }

    /// <summary>The work in progress, or a new one from <paramref name="start"/>; <paramref name="starting"/> runs under the lock first.</summary>
    public Task<T> Join(Func<Task<T>> start, Action? starting = null)
    {
        lock (_lock)
        {
            if (_current is { IsCompleted: false } running)
            {
                return running;
            }

            starting?.Invoke();
            return _current = Detached(start);
        }
    }

    /// <summary>Starts new work unless some is in progress; false when it was.</summary>
    public bool TryStart(Func<Task<T>> start, Action? starting = null)
    {
        lock (_lock)
        {
            if (_current is { IsCompleted: false })
            {
                return false;
            }

            starting?.Invoke();
            _current = Detached(start);
            return true;
        }
    }

    /// <summary>The work in progress, if any.</summary>
    public Task<T>? Current
    {
        get
        {
            lock (_lock)
            {
                return _current is { IsCompleted: false } running ? running : null;
            }
        }
    }

    // Callers' continuations never run on the thread that finishes the work: an app that blocks in one (a synchronous
    // read after awaiting EnsureWarmAsync) would otherwise hold up every other waiter, the keep-alive loop among them.
    private static Task<T> Detached(Func<Task<T>> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            try
            {
                completion.SetResult(await work().ConfigureAwait(false));
            }
            catch (OperationCanceledException ex)
            {
                completion.SetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
        });
        return completion.Task;
    }
}
