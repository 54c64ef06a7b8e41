using System.Collections.Concurrent;

namespace Prewarm.LocalPostgres;

/// <summary>Stops clusters nobody disposed when the process exits, so an aborted test run leaves no postmasters or temp folders behind.</summary>
internal static class OrphanGuard
{
    private static readonly ConcurrentDictionary<PostgresCluster, byte> Live = new();
    private static int _hooked;

    public static void Register(PostgresCluster cluster)
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        }

        Live.TryAdd(cluster, 0);
    }

    public static void Unregister(PostgresCluster cluster) => Live.TryRemove(cluster, out _);

    private static void StopAll()
    {
        // In parallel: exit handlers should be quick, and each stop waits on its own postmaster.
        var stops = Live.Keys.Select(c => Task.Run(() => c.DisposeAsync().AsTask())).ToArray();
        Task.WaitAll(stops, TimeSpan.FromSeconds(20));
    }
}
