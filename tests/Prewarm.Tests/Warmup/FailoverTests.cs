using Npgsql;
using Prewarm.LocalPostgres;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Warmup;

[Collection(PostgresTests.Name)]
public sealed class FailoverTests(PostgresFixture pg)
{
    [Fact]
    public async Task ReportConnectionFailure_ServerWentAway_RewarmsInTheBackground_AndTheGateWaitsForIt()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s => s.WarmConnections = 2);
        await app.Coordinator.EnsureWarmAsync();
        var before = await pg.Cluster.BackendPidsAsync(appName);
        await pg.Cluster.TerminateAsync(appName);
        await pg.Cluster.WaitForBackendCountAsync(appName, 0);

        // What a request sees: the pooled connection it was handed is dead.
        var failure = await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var connection = await app.DataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync();
        });

        Assert.True(app.Coordinator.ReportConnectionFailure(failure));
        Assert.True(await app.Coordinator.WaitForWarmAsync(TimeSpan.FromSeconds(60)));
        // The gate opened with the first fresh connection; the re-warm goes on to N.
        await app.Coordinator.EnsureWarmAsync();

        var after = await pg.Cluster.BackendPidsAsync(appName);
        Assert.Equal(2, after.Length);
        Assert.Empty(after.Intersect(before));
        Assert.Equal(2, app.Coordinator.LastReport!.ConnectionsWarmed);
    }

    [Fact]
    public async Task ReportConnectionFailure_AnAppError_ChangesNothing()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s => s.WarmConnections = 1);
        var warm = await app.Coordinator.EnsureWarmAsync();
        var failure = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var connection = await app.DataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT * FROM no_such_table", connection);
            await command.ExecuteScalarAsync();
        });

        Assert.False(app.Coordinator.ReportConnectionFailure(failure));
        Assert.Equal(WarmupState.Warm, app.Coordinator.State);
        Assert.Same(warm, app.Coordinator.LastReport);
    }

    [Fact]
    public async Task DuringARewarm_TheGateWaitsThroughAShortOutage_InsteadOfFailingAtOnce()
    {
        await using var cluster = await PostgresCluster.CreateAsync();
        await cluster.CreateRoleAsync(PostgresFixture.AppUser, PostgresFixture.AppPassword);
        await cluster.CreateDatabaseAsync(PostgresFixture.AppDatabase, PostgresFixture.AppUser);
        await using var app = TestApp.Create(PostgresFixture.ConnectionStringFor(cluster, out var appName), s =>
        {
            s.WarmConnections = 2;
            s.GateTimeout = TimeSpan.FromMinutes(2);
            s.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
            s.RetryMaxDelay = TimeSpan.FromMilliseconds(500);
        });
        await app.Coordinator.EnsureWarmAsync();

        await cluster.StopAsync();
        var failure = await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var connection = await app.DataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync();
        });
        Assert.True(app.Coordinator.ReportConnectionFailure(failure));

        // The re-warm's retries fail while the server is down; the gate keeps waiting rather than answering false.
        var gate = app.Coordinator.WaitForWarmAsync();
        await cluster.StartAsync();

        Assert.True(await gate.WaitAsync(TimeSpan.FromMinutes(3)));
        // The gate passed on the first connection; the re-warm goes on to N.
        Assert.Equal(WarmupState.Warm, (await app.Coordinator.EnsureWarmAsync()).State);
        Assert.Equal(2, (await cluster.BackendPidsAsync(appName)).Length);
    }
}
