using Prewarm.LocalPostgres;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.FaultTests.Infrastructure;

public static class ServerWait
{
    // As ServerView.WaitForBackendCountAsync, but the backends must also be new ones: right after a terminate the old
    // ones may still be listed, and a refill may land before the count was ever seen at zero. Polls the server,
    // bounded; it synchronises with the server, not with the code under test.
    // atMost: how many the server may show once `expected` fresh ones are there (default: exactly `expected`).
    public static async Task<int[]> WaitForFreshBackendsAsync(this PostgresCluster cluster, string applicationName, IReadOnlyCollection<int> old, int expected, int? atMost = null)
    {
        using var deadline = new CancellationTokenSource(Bounded.Guard);
        while (true)
        {
            var pids = await cluster.BackendPidsAsync(applicationName);
            if (pids.Length >= expected && pids.Length <= (atMost ?? expected) && !pids.Intersect(old).Any())
            {
                return pids;
            }

            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Expected {expected} new backends for '{applicationName}', the server shows [{string.Join(", ", pids)}] (old: [{string.Join(", ", old)}]).");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
