using System.Collections.Concurrent;

namespace Prewarm.LocalPostgres.Processes;

/// <summary>
/// The one exit hook: disposes what nobody disposed when this process exits (child processes, clusters, pgbouncers
/// and the Functions test host), so an aborted test or lab run leaves no postmasters, daemons, apps or temp folders behind.
/// </summary>
internal static class OrphanGuard
{
    // Each owner stops its own process; the exit handler must not outlive the runtime's patience.
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(20);
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
        try
        {
            Task.WaitAll(stops, StopBound);
        }
        catch (AggregateException)
        {
            // Owners stop in any order (the test host and its worker both are here); one that finds its part gone must not crash the exit.
        }
    }
}
