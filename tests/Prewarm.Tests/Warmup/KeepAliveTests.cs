using Npgsql;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Warmup;

[Collection(PostgresTests.Name)]
public sealed class KeepAliveTests(PostgresFixture pg)
{
    [Fact]
    public async Task KeepAlive_AfterEveryPooledConnectionWasTerminated_RestoresNLiveOnes()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s => s.WarmConnections = 3);
        await app.Coordinator.EnsureWarmAsync();
        var before = await pg.Cluster.BackendPidsAsync(appName);
        await pg.Cluster.TerminateAsync(appName);
        await pg.Cluster.WaitForBackendCountAsync(appName, 0);

        var pass = await app.Coordinator.RunKeepAliveAsync();

        Assert.Null(pass.LastError);
        Assert.True(pass.Replaced >= 1);
        Assert.True(pass.Opened >= 3);
        var after = await pg.Cluster.BackendPidsAsync(appName);
        Assert.Equal(3, after.Length);
        Assert.Empty(after.Intersect(before));

        // No request fails after the pass: every pooled connection is a live one.
        var requests = Enumerable.Range(0, 3).Select(async _ =>
        {
            await using var connection = await app.DataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return (int)(await command.ExecuteScalarAsync())!;
        });
        Assert.All(await Task.WhenAll(requests), r => Assert.Equal(1, r));
    }

    [Fact]
    public async Task KeepAlive_OneConnectionLost_TopsUpToNLiveOnes()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s => s.WarmConnections = 3);
        await app.Coordinator.EnsureWarmAsync();
        var before = await pg.Cluster.BackendPidsAsync(appName);
        await pg.Cluster.ExecuteAsync($"SELECT pg_terminate_backend({before[0]})");
        await pg.Cluster.WaitForBackendCountAsync(appName, 2);

        var pass = await app.Coordinator.RunKeepAliveAsync();

        // Npgsql clears the whole pool when a connection dies of 57P01, so whether the healthy two survive depends
        // on which connection the pass meets first: the counts vary, the outcome must not.
        Assert.Null(pass.LastError);
        Assert.True(pass.Replaced >= 1);
        Assert.True(pass.Opened >= 1);
        var after = await pg.Cluster.BackendPidsAsync(appName);
        Assert.Equal(3, after.Length);
        Assert.DoesNotContain(before[0], after);
    }

    [Fact]
    public async Task KeepAlive_OnAHealthyPool_OpensNothing()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s => s.WarmConnections = 2);
        await app.Coordinator.EnsureWarmAsync();
        var before = await pg.Cluster.BackendPidsAsync(appName);

        var pass = await app.Coordinator.RunKeepAliveAsync();

        Assert.Equal(2, pass.Validated);
        Assert.Equal(0, pass.Opened);
        Assert.Equal(before, await pg.Cluster.BackendPidsAsync(appName));
    }

    // The Functions app runs the background loop and a timer on the same instance: when they meet, one pass runs,
    // so the pool is never held twice over and the retirement ledger has one writer.
    [Fact]
    public async Task KeepAlive_ConcurrentCallers_ShareOnePass_AndItIsKeptAsLastKeepAlive()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out _), s => s.WarmConnections = 3);
        await app.Coordinator.EnsureWarmAsync();
        Assert.Null(app.Coordinator.LastKeepAlive);

        var passes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => app.Coordinator.RunKeepAliveAsync()));

        Assert.All(passes, p => Assert.Same(passes[0], p));
        Assert.Equal(3, passes[0].Validated);
        Assert.Same(passes[0], app.Coordinator.LastKeepAlive);
    }

    // A pool the server had room for only one connection: while the pass holds it, an invocation that passed the gate
    // would find nothing idle and open a connection of its own, which a full server refuses (and Npgsql then clears
    // the pool). The gate holds it until the pass hands the connection back. The barrier: the pass reads the server's
    // free slots from pg_roles, and the test holds pg_authid locked until the invocation is waiting.
    [Fact]
    public async Task KeepAlive_HoldingThePoolsOnlyConnection_HoldsTheGate_TheInvocationGetsThatConnection()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s =>
        {
            s.WarmConnections = 1;
            s.GateTimeout = TimeSpan.FromSeconds(60);
        });
        await app.Coordinator.EnsureWarmAsync();
        var warm = Assert.Single(await pg.Cluster.BackendPidsAsync(appName));

        await using var watcher = new NpgsqlConnection(pg.Cluster.ConnectionString());
        await watcher.OpenAsync();
        await using var barrier = new NpgsqlConnection(pg.Cluster.ConnectionString());
        await barrier.OpenAsync();
        await using var locked = await barrier.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("LOCK TABLE pg_authid IN ACCESS EXCLUSIVE MODE", barrier, locked))
        {
            await command.ExecuteNonQueryAsync();
        }

        var pass = app.Coordinator.RunKeepAliveAsync();
        await watcher.WaitUntilBlockedOnLockAsync(warm);
        var invocation = Task.Run(async () =>
        {
            Assert.True(await app.Coordinator.WaitForWarmAsync());
            await using var connection = await app.DataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
            return (int)(await command.ExecuteScalarAsync())!;
        });
        await locked.CommitAsync();

        Assert.Null((await pass).LastError);
        Assert.Equal(warm, await invocation);
        Assert.Equal([warm], await pg.Cluster.BackendPidsAsync(appName));
    }
}
