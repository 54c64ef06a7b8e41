using Npgsql;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Warmup;

// One core seen by the library (PrewarmSettings.ProcessorCount = 1), StartupMode Background: the gate is Warm with the
// first connection, and the other N-1 open only after the first invocation has been served (OneCoreTopUp). The proof
// is server-side: every other backend's backend_start against a server timestamp taken while the invocation still
// held its connection.
[Collection(PostgresTests.Name)]
public sealed class OneCoreTests(PostgresFixture pg)
{
    private static readonly TimeSpan s_longWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OneCore_NoOtherConnectionOpens_BeforeTheFirstInvocationHasEnded()
    {
        var firstWork = new FirstWorkBarrier();
        await using var app = await StartAsync(firstWork, out var appName);

        // The usual cold start: the invocation waits at the gate while the first connection is in its work.
        var gate = app.Coordinator.WaitForWarmAsync(s_longWait);
        await firstWork.Entered;
        Assert.False(gate.IsCompleted);
        var first = Assert.Single(await pg.Cluster.BackendPidsAsync(appName));
        firstWork.Release();
        Assert.True(await gate);
        Assert.Equal(WarmupState.Warm, app.Coordinator.State);

        DateTime ended;
        await using (var connection = await app.DataSource.OpenConnectionAsync())
        {
            await using (var command = new NpgsqlCommand("SELECT pg_backend_pid(), clock_timestamp()", connection))
            {
                Assert.Equal(first, (int)(await command.ExecuteScalarAsync())!);
            }

            // The invocation's own work after its first query (a second statement, its result's handling): a warm-up
            // that waited only for the first command would open the others beside it. Not a synchronisation: with the
            // deferral the others wait for the invocation however long this takes.
            await using (var work = new NpgsqlCommand("SELECT pg_sleep(0.5)", connection))
            {
                await work.ExecuteNonQueryAsync();
            }

            // The invocation's end, read by the server through another route while the invocation still holds its connection.
            ended = (await pg.Cluster.ScalarAsync<DateTime>("SELECT clock_timestamp()::timestamp"))!;
            Assert.Single(await pg.Cluster.BackendPidsAsync(appName));
        }

        var report = await app.Coordinator.EnsureWarmAsync();
        Assert.Equal(3, report.ConnectionsWarmed);
        var others = await pg.Cluster.ScalarAsync<DateTime[]>(
            $"SELECT array_agg(backend_start::timestamp) FROM pg_stat_activity WHERE application_name = '{appName}' AND pid <> {first}");
        Assert.Equal(2, others!.Length);
        Assert.All(others, started => Assert.True(started > ended, $"a backend started at {started:O}, before the invocation ended at {ended:O}"));
    }

    [Fact]
    public async Task OneCore_WithNoInvocation_TheOthersStillOpen()
    {
        await using var app = await StartAsync(null, out var appName);

        // The library's own signal: the run ends (and reports) once the top-up is done.
        var report = await app.Coordinator.EnsureWarmAsync();
        Assert.Equal(WarmupState.Warm, report.State);
        Assert.Equal(3, report.ConnectionsWarmed);
        Assert.Equal(3, (await pg.Cluster.BackendPidsAsync(appName)).Length);
    }

    [Fact]
    public async Task OneCore_ABurstWaitingForTheFirst_IsServed_AndThePoolEndsAtN()
    {
        var firstWork = new FirstWorkBarrier();
        await using var app = await StartAsync(firstWork, out var appName);

        var gates = Enumerable.Range(0, 3).Select(_ => app.Coordinator.WaitForWarmAsync(s_longWait)).ToArray();
        await firstWork.Entered;
        Assert.DoesNotContain(gates, g => g.IsCompleted);
        firstWork.Release();
        Assert.All(await Task.WhenAll(gates), Assert.True);

        // All three at once, each on a connection of its own: the pool opens two for them, beside the warm one.
        var connections = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => app.DataSource.OpenConnectionAsync().AsTask()));
        foreach (var connection in connections)
        {
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            Assert.Equal(1, await command.ExecuteScalarAsync());
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        // The top-up takes the burst's connections as its own instead of opening more.
        var report = await app.Coordinator.EnsureWarmAsync();
        Assert.Equal(3, report.ConnectionsWarmed);
        Assert.Equal(3, (await pg.Cluster.BackendPidsAsync(appName)).Length);
    }

    [Fact]
    public async Task OneCore_BlockUntilWarm_OpensAllBeforeStartReturns()
    {
        await using var app = await StartAsync(null, out var appName, s => s.StartupMode = PrewarmStartupMode.BlockUntilWarm);

        Assert.Equal(WarmupState.Warm, app.Coordinator.State);
        Assert.Equal(3, app.Coordinator.LastReport!.ConnectionsWarmed);
        Assert.Equal(3, (await pg.Cluster.BackendPidsAsync(appName)).Length);
    }

    // Three connections, one core seen by the library, StartupMode Background (the default).
    private Task<TestApp> StartAsync(FirstWorkBarrier? firstWork, out string appName, Action<PrewarmSettings>? configure = null)
    {
        var app = TestApp.Create(pg.AppConnectionString(out appName), s =>
        {
            s.WarmConnections = 3;
            s.ProcessorCount = 1;
            s.WarmupWork = firstWork is null ? null : firstWork.Work;
            configure?.Invoke(s);
        });
        return StartedAsync(app);

        static async Task<TestApp> StartedAsync(TestApp app)
        {
            await app.StartAsync();
            return app;
        }
    }
}
