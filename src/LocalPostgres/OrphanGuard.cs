using System.Collections.Concurrent;

namespace Prewarm.LocalPostgres;

/// <summary>
/// Disposes what nobody disposed when the process exits (clusters, and the Functions test host's workers), so an aborted
/// test run leaves no postmasters, worker processes or temp folders behind.
/// </summary>
internal static class OrphanGuard
{
    private static readonly ConcurrentDictionary<IAsyncDisposable, byte> Live = new();
    private static int _hooked;

    public static void Register(IAsyncDisposable owner)
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        }

        Live.TryAdd(owner, 0);
    }

    public static void Unregister(IAsyncDisposable owner) => Live.TryRemove(owner, out _);

    private static void StopAll()
    {
        // In parallel: exit handlers should be quick, and each stop waits on its own process.
        var stops = Live.Keys.Select(c => Task.Run(() => c.DisposeAsync().AsTask())).ToArray();
        Task.WaitAll(stops, TimeSpan.FromSeconds(20));
    }
}
