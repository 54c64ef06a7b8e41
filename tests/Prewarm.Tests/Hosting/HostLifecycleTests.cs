using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Hosting;

[Collection(PostgresTests.Name)]
public sealed class HostLifecycleTests(PostgresFixture pg)
{
    [Fact]
    public async Task HostStop_DisposesTheDataSource_AndTheServerSeesTheConnectionsClose()
    {
        var app = TestApp.Create(pg.AppConnectionString(out var appName), s => s.WarmConnections = 3);
        await app.StartAsync();
        await app.Coordinator.EnsureWarmAsync();
        Assert.Equal(3, (await pg.Cluster.BackendPidsAsync(appName)).Length);

        await app.DisposeAsync();

        Assert.Equal(WarmupState.Stopped, app.Coordinator.State);
        await pg.Cluster.WaitForBackendCountAsync(appName, 0);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await app.DataSource.OpenConnectionAsync());
        Assert.False(await app.Coordinator.WaitForWarmAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task HostStop_DuringARetryingWarmup_CancelsIt()
    {
        var time = new TimerTrackingTimeProvider();
        var app = TestApp.Create("Host=127.0.0.1;Port=1;Database=d;Username=u;Password=pw-unused-here", time: time);
        await app.StartAsync();
        Assert.False(await app.Coordinator.WaitForWarmAsync(TimeSpan.FromMinutes(10)));

        await app.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(WarmupState.Stopped, app.Coordinator.State);
        // Nothing is due within a backoff step: no retry and no rerun was scheduled.
        Assert.Equal(0, time.PendingTimersWithin(PrewarmDefaults.RetryMaxDelay));
    }
}
