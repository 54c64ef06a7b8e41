using Npgsql;
using Prewarm.LocalPostgres;

namespace Prewarm.Tests.Infrastructure;

// What the server itself sees: the backends of one application name in pg_stat_activity.
public static class ServerView
{
    public static async Task<int[]> BackendPidsAsync(this PostgresCluster cluster, string applicationName)
    {
        var pids = await cluster.ScalarAsync<int[]>(
            $"SELECT coalesce(array_agg(pid ORDER BY pid), '{{}}') FROM pg_stat_activity WHERE application_name = '{applicationName}' AND backend_type = 'client backend'");
        return pids ?? [];
    }

    public static Task TerminateAsync(this PostgresCluster cluster, string applicationName) =>
        cluster.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{applicationName}'");

    /// <summary>Terminates one backend and waits until it is gone (PostgreSQL 14+: the timeout makes the call wait).</summary>
    public static async Task TerminateBackendAsync(this PostgresCluster cluster, int pid)
    {
        var terminated = await cluster.ScalarAsync<bool>($"SELECT pg_terminate_backend({pid}, 10000)");
        Assert.True(terminated, $"backend {pid} was not terminated");
    }

    // Backends leave pg_stat_activity asynchronously after a client closes or is terminated; there is no event to
    // wait on, so this polls the server, bounded. It synchronises with the server, not with the code under test.
    public static async Task<int[]> WaitForBackendCountAsync(this PostgresCluster cluster, string applicationName, int expected)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var pids = await cluster.BackendPidsAsync(applicationName);
            if (pids.Length == expected)
            {
                return pids;
            }

            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Expected {expected} backends for '{applicationName}', the server shows {pids.Length}.");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>
    /// Waits until a backend is blocked on a heavyweight lock (a barrier the test holds with LOCK TABLE), looking on a
    /// connection opened beforehand: a lock on a catalog can keep new connections from logging in. It reads the function
    /// behind pg_stat_activity, which joins pg_authid, a catalog such a test may hold locked.
    /// </summary>
    public static async Task WaitUntilBlockedOnLockAsync(this NpgsqlConnection watcher, int pid)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var command = new NpgsqlCommand(
            $"SELECT coalesce((SELECT wait_event_type = 'Lock' FROM pg_stat_get_activity({pid})), false)", watcher);
        while (await command.ExecuteScalarAsync() is false)
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Backend {pid} never waited on a lock.");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
