using Npgsql;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Warmup;

[Collection(PostgresTests.Name)]
public sealed class WarmupTests(PostgresFixture pg)
{
    public static TheoryData<bool> KeyedAndUnkeyed => new() { false, true };

    [Theory]
    [MemberData(nameof(KeyedAndUnkeyed))]
    public async Task HostStart_OpensNPhysicalConnectionsAndRunsTheWorkOnEach_BeforeAnyRequest(bool keyed)
    {
        var workRuns = 0;
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s =>
        {
            s.WarmConnections = 3;
            s.WarmupQueries.Add("SELECT 1 AS one, now() AS at, 'x'::text AS t");
            s.WarmupWork = (_, _) =>
            {
                Interlocked.Increment(ref workRuns);
                return Task.CompletedTask;
            };
        }, keyed: keyed);

        await app.StartAsync();
        var report = await app.Coordinator.EnsureWarmAsync();

        Assert.Equal(WarmupState.Warm, app.Coordinator.State);
        Assert.Equal(3, report.ConnectionsWarmed);
        Assert.Equal(1, report.Attempts);
        Assert.Equal(3, workRuns);
        Assert.Contains(WarmupPhase.Open, report.Phases.Keys);
        Assert.Equal(3, (await pg.Cluster.BackendPidsAsync(appName)).Length);
    }

    // The request path of the pool (an Open that finds an idle connector, a Close that hands it back) is other code than
    // a physical open: the warm-up runs it once, so the first request does not compile it. Npgsql logs every Open as
    // "Opened connection" and a physical one as "Opened physical connection" too, at Debug, which reaches the test's
    // log only once the host has taken over: so this looks at a re-warm (the pool cleared by a reported failure).
    [Fact]
    public async Task Warmup_OpensItsFirstConnectionOnce_AndRentsItAgainFromThePool()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out _), s => s.WarmConnections = 1);
        await app.StartAsync();
        await app.Coordinator.EnsureWarmAsync();
        app.Logs.Clear();

        Assert.True(app.Coordinator.ReportConnectionFailure(new IOException("the server went away")));
        var report = await app.Coordinator.EnsureWarmAsync();

        Assert.Equal(1, report.ConnectionsWarmed);
        Assert.Equal(1, Opens(app, "Opened physical connection to"));
        Assert.Equal(2, Opens(app, "Opened connection to"));

        static int Opens(TestApp app, string message) =>
            app.Logs.GetSnapshot().Count(r => r.Category?.StartsWith("Npgsql.", StringComparison.Ordinal) == true && r.Message.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FirstRequestAfterWarmup_RunsOnAWarmedConnection_OpeningNoNewOne()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s => s.WarmConnections = 3);
        await app.StartAsync();
        await app.Coordinator.EnsureWarmAsync();
        var warmed = await pg.Cluster.BackendPidsAsync(appName);

        Assert.True(await app.Coordinator.WaitForWarmAsync(TimeSpan.FromSeconds(1)));
        await using var connection = await app.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var pid = (int)(await command.ExecuteScalarAsync())!;

        Assert.Contains(pid, warmed);
        Assert.Equal(warmed, await pg.Cluster.BackendPidsAsync(appName));
    }

    [Fact]
    public async Task WarmupWork_RunsOnTheFirstConnectionAlone_ThenOnAllTheOthersAtOnce()
    {
        // The first connection's work JIT-compiles the query path, so it runs alone; then each of the other n-1 waits
        // until all of them are in their work: a sequential warm-up never gets there, nor one that overlapped the first.
        const int n = 4;
        var arrived = 0;
        var firstDone = false;
        var othersSawFirstRunning = false;
        var allOthersThere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = TestApp.Create(pg.AppConnectionString(out _), s =>
        {
            s.WarmConnections = n;
            s.WarmupWork = async (_, ct) =>
            {
                var me = Interlocked.Increment(ref arrived);
                if (me == 1)
                {
                    await Task.Yield();
                    Volatile.Write(ref firstDone, true);
                    return;
                }

                othersSawFirstRunning |= !Volatile.Read(ref firstDone);
                if (me == n)
                {
                    allOthersThere.TrySetResult();
                }

                await allOthersThere.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            };
        });

        var report = await app.Coordinator.EnsureWarmAsync();

        Assert.Equal(WarmupState.Warm, report.State);
        Assert.Equal(n, report.ConnectionsWarmed);
        Assert.False(othersSawFirstRunning);
        Assert.NotNull(report.FirstConnectionReady);
        Assert.True(report.FirstConnectionReady <= report.AllConnectionsReady);
    }

    [Fact]
    public async Task ConcurrentEnsureWarm_ShareOneRun()
    {
        var workRuns = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s =>
        {
            s.WarmConnections = 2;
            s.WarmupWork = async (_, ct) =>
            {
                Interlocked.Increment(ref workRuns);
                await release.Task.WaitAsync(ct);
            };
        });

        var callers = Enumerable.Range(0, 8).Select(_ => app.Coordinator.EnsureWarmAsync()).ToArray();
        Assert.Equal(WarmupState.Warming, app.Coordinator.State);
        release.SetResult();
        var reports = await Task.WhenAll(callers);

        Assert.All(reports, r => Assert.Same(reports[0], r));
        Assert.Equal(2, workRuns);
        Assert.Equal(2, (await pg.Cluster.BackendPidsAsync(appName)).Length);
    }

    [Fact]
    public async Task WarmedConnections_OutliveConnectionIdleLifetime()
    {
        const string pruneFast = "Connection Idle Lifetime=2;Connection Pruning Interval=1";
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName, extra: pruneFast), s => s.WarmConnections = 2);
        await app.Coordinator.EnsureWarmAsync();
        var warmed = await pg.Cluster.BackendPidsAsync(appName);

        // A control pool with the same idle lifetime but no warm-up: once the pruner has emptied it, it has had
        // every chance to prune the warmed pool too.
        await using var control = NpgsqlDataSource.Create(pg.AppConnectionString(out var controlName, extra: pruneFast));
        await using (var c1 = await control.OpenConnectionAsync())
        await using (var c2 = await control.OpenConnectionAsync())
        {
            Assert.Equal(2, (await pg.Cluster.BackendPidsAsync(controlName)).Length);
        }

        await pg.Cluster.WaitForBackendCountAsync(controlName, 0);

        Assert.Equal(warmed, await pg.Cluster.BackendPidsAsync(appName));
    }

    [Fact]
    public async Task BlockUntilWarm_HostStartReturnsWarm()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s =>
        {
            s.WarmConnections = 2;
            s.StartupMode = PrewarmStartupMode.BlockUntilWarm;
        });

        await app.StartAsync();

        Assert.Equal(WarmupState.Warm, app.Coordinator.State);
        Assert.Equal(2, (await pg.Cluster.BackendPidsAsync(appName)).Length);
    }
}
