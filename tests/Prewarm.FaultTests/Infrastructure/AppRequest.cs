using Npgsql;
using Prewarm.LocalPostgres;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.FaultTests.Infrastructure;

public enum RequestOutcome
{
    Served,

    /// <summary>The gate said not warm: the app answers 503 at once instead of trying the database.</summary>
    Rejected,

    /// <summary>The database call threw: the user sees an error.</summary>
    Failed,
}

// One app request as the Functions gate middleware and the sample app make it: the gate, then a query on a pooled
// connection; a connection-level failure is reported to the coordinator, as the middleware does.
public static class AppRequest
{
    public static async Task<(RequestOutcome Outcome, Exception? Error)> SelectOneAsync(this TestApp app, TimeSpan gateTimeout)
    {
        if (!await app.Coordinator.WaitForWarmAsync(gateTimeout))
        {
            return (RequestOutcome.Rejected, null);
        }

        try
        {
            await using var connection = await app.DataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return (int)(await command.ExecuteScalarAsync())! == 1 ? (RequestOutcome.Served, null) : throw new InvalidOperationException("SELECT 1 did not return 1.");
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
        {
            app.Coordinator.ReportConnectionFailure(e);
            return (RequestOutcome.Failed, e);
        }
    }

    /// <summary>Until a warm-up run ends <see cref="WarmupState.Warm"/>: a run that gave up while the server was away is followed by a fresh one.</summary>
    public static async Task<WarmupReport> WarmAgainAsync(this WarmupCoordinator coordinator)
    {
        using var guard = new CancellationTokenSource(Bounded.Guard);
        while (true)
        {
            var report = await coordinator.EnsureWarmAsync(guard.Token);
            if (report.State == WarmupState.Warm)
            {
                return report;
            }
        }
    }

    /// <summary>Starts the host, waits for its warm-up and returns the backends the server shows for it.</summary>
    public static async Task<int[]> StartWarmAsync(this TestApp app, PostgresCluster cluster, string applicationName, int connections)
    {
        await app.StartAsync();
        Assert.Equal(WarmupState.Warm, (await app.Coordinator.EnsureWarmAsync().Within()).State);
        return await cluster.WaitForBackendCountAsync(applicationName, connections);
    }
}
