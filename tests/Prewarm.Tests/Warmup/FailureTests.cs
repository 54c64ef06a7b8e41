using Microsoft.Extensions.Time.Testing;
using Prewarm.LocalPostgres;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Warmup;

[Collection(PostgresTests.Name)]
public sealed class FailureTests(PostgresFixture pg)
{
    private static readonly TimeSpan s_longWait = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task WrongPassword_OneAttempt_DegradedWithSqlState_NothingRescheduled()
    {
        var time = new TimerTrackingTimeProvider();
        await using var app = TestApp.Create(pg.AppConnectionString(out _, password: "wrong-pw-3b8f0c6a"), time: time);
        await app.StartAsync();

        // Time never moves in this test, so a false here means the gate did not wait: it failed fast.
        Assert.False(await app.Coordinator.WaitForWarmAsync(s_longWait));

        var report = app.Coordinator.LastReport!;
        Assert.Equal(WarmupState.Degraded, app.Coordinator.State);
        Assert.Equal("28P01", report.SqlState);
        Assert.Equal(1, report.Attempts);
        Assert.Contains("28P01", report.LastError, StringComparison.Ordinal);
        // Nothing is due within a backoff step: no retry and no rerun was scheduled.
        Assert.Equal(0, time.PendingTimersWithin(PrewarmDefaults.RetryMaxDelay));

        time.Advance(TimeSpan.FromHours(1));
        Assert.Same(report, app.Coordinator.LastReport);
    }

    [Fact]
    public async Task UnknownDatabase_FailsAtOnceWith3D000()
    {
        var time = new TimerTrackingTimeProvider();
        var connectionString = pg.AppConnectionString(out _).Replace($"Database={PostgresFixture.AppDatabase}", "Database=no_such_db", StringComparison.Ordinal);
        await using var app = TestApp.Create(connectionString, time: time);
        await app.StartAsync();

        Assert.False(await app.Coordinator.WaitForWarmAsync(s_longWait));
        Assert.Equal("3D000", app.Coordinator.LastReport!.SqlState);
        Assert.Equal(1, app.Coordinator.LastReport.Attempts);
        // Nothing is due within a backoff step: no retry and no rerun was scheduled.
        Assert.Equal(0, time.PendingTimersWithin(PrewarmDefaults.RetryMaxDelay));
    }

    [Fact]
    public async Task UnknownHost_DegradedWithAReasonThatSaysSo()
    {
        var time = new FakeTimeProvider();
        await using var app = TestApp.Create("Host=db.prewarm-test.invalid;Database=d;Username=u;Password=pw-unused-here", time: time);
        await app.StartAsync();

        Assert.False(await app.Coordinator.WaitForWarmAsync(s_longWait));
        Assert.Equal(WarmupState.Degraded, app.Coordinator.State);
        Assert.Contains("SocketException", app.Coordinator.LastReport!.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseDownAtStart_HostStartsDegraded_AndTurnsWarmOneBackoffStepAfterTheDatabaseIsBack()
    {
        var maxDelay = TimeSpan.FromSeconds(5);
        var time = new TimerTrackingTimeProvider();
        await using var cluster = await PostgresCluster.CreateAsync(new PostgresClusterOptions { Start = true });
        await cluster.CreateRoleAsync(PostgresFixture.AppUser, PostgresFixture.AppPassword);
        await cluster.CreateDatabaseAsync(PostgresFixture.AppDatabase, PostgresFixture.AppUser);
        await cluster.StopAsync();

        await using var app = TestApp.Create(PostgresFixture.ConnectionStringFor(cluster, out var appName), s =>
        {
            s.WarmConnections = 2;
            s.RetryMaxDelay = maxDelay;
            s.WarmupTimeout = TimeSpan.FromHours(1);
        }, time: time);
        await app.StartAsync();

        Assert.False(await app.Coordinator.WaitForWarmAsync(s_longWait));
        Assert.Equal(WarmupState.Degraded, app.Coordinator.State);
        Assert.NotNull(app.Coordinator.LastReport!.LastError);

        // The retry is now waiting on its backoff; bring the database back and let exactly one step pass.
        await time.WaitForTimerWithinAsync(maxDelay).WaitAsync(TimeSpan.FromSeconds(30));
        await cluster.StartAsync();
        time.Advance(maxDelay);

        var report = await app.Coordinator.EnsureWarmAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(WarmupState.Warm, report.State);
        Assert.True(report.Attempts >= 2);
        Assert.Equal(2, (await cluster.BackendPidsAsync(appName)).Length);
    }

    [Fact]
    public async Task Gate_TimesOutWhileWarmupIsSlow_ThenPassesOnceWarm()
    {
        var time = new TimerTrackingTimeProvider();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = TestApp.Create(pg.AppConnectionString(out _), s =>
        {
            s.WarmConnections = 1;
            s.WarmupWork = (_, ct) => release.Task.WaitAsync(ct);
        }, time: time);

        var gate = app.Coordinator.WaitForWarmAsync(TimeSpan.FromSeconds(3));
        Assert.False(gate.IsCompleted);
        await time.WaitForTimerWithinAsync(TimeSpan.FromSeconds(3)).WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(await gate.WaitAsync(TimeSpan.FromSeconds(30)));

        release.SetResult();
        await app.Coordinator.EnsureWarmAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await app.Coordinator.WaitForWarmAsync(TimeSpan.FromSeconds(3)));
    }
}
