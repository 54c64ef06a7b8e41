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
}
