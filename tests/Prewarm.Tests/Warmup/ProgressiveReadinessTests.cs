using Npgsql;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Warmup;

// The gate opens connection by connection: the k-th waiter passes once k connections are warm and idle. The warm-up
// work is held with barriers, so every "still warming" below is a fact the test arranged, not a race it hopes to win.
[Collection(PostgresTests.Name)]
public sealed class ProgressiveReadinessTests(PostgresFixture pg)
{
    private static readonly TimeSpan s_longWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Gate_OpensWithOneConnectionWarm_WhileTheOthersAreStillWarming()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var app = TestApp.Create(pg.AppConnectionString(out _), s =>
        {
            s.WarmConnections = 4;
            s.WarmupWork = (_, ct) => Interlocked.Increment(ref calls) == 1 ? Task.CompletedTask : hold.Task.WaitAsync(ct);
        });
        await app.StartAsync();

        Assert.True(await app.Coordinator.WaitForWarmAsync(s_longWait));
        Assert.Equal(WarmupState.Warming, app.Coordinator.State);

        hold.SetResult();
        var report = await app.Coordinator.EnsureWarmAsync();
        Assert.Equal(4, report.ConnectionsWarmed);
        Assert.True(report.FirstConnectionReady < report.AllConnectionsReady);
    }

    [Fact]
    public async Task ConcurrentWaiters_AreServedByTheWarmedConnections_NotByNewColdOnes()
    {
        // Connections 1 and 2 warm at once; connection 3 is held in its work.
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var warmedPids = new List<int>();
        var twoWarm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s =>
        {
            s.WarmConnections = 3;
            s.WarmupWork = (connection, ct) =>
            {
                if (Interlocked.Increment(ref calls) > 2)
                {
                    return hold.Task.WaitAsync(ct);
                }

                lock (warmedPids)
                {
                    warmedPids.Add(connection.ProcessID);
                }

                return Task.CompletedTask;
            };
        });
        await app.StartAsync();

        var first = app.Coordinator.WaitForWarmAsync(s_longWait);
        var second = app.Coordinator.WaitForWarmAsync(s_longWait);
        Assert.True(await first);
        Assert.True(await second);

        // The third waiter's connection is still in its work: it must wait for it.
        var third = app.Coordinator.WaitForWarmAsync(s_longWait);
        Assert.False(third.IsCompleted);

        // Two requests at once, each on its own connection: both are warmed ones, and the server has no fourth backend.
        var connections = await Task.WhenAll(app.DataSource.OpenConnectionAsync().AsTask(), app.DataSource.OpenConnectionAsync().AsTask());
        var requestPids = new List<int>();
        foreach (var connection in connections)
        {
            await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
            requestPids.Add((int)(await command.ExecuteScalarAsync())!);
        }

        Assert.Equal(warmedPids.Order(), requestPids.Order());
        Assert.Equal(3, (await pg.Cluster.BackendPidsAsync(appName)).Length);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        hold.SetResult();
        Assert.True(await third);
    }

    [Fact]
    public async Task FailedWorkOnTheFirstConnection_DoesNotHoldTheGate_WhileOthersAreWarm()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var app = TestApp.Create(pg.AppConnectionString(out _), s =>
        {
            s.WarmConnections = 3;
            s.WarmupWork = (_, ct) => Interlocked.Increment(ref calls) switch
            {
                1 => throw new InvalidOperationException("the app's warm-up query is broken on this one"),
                2 => Task.CompletedTask,
                _ => hold.Task.WaitAsync(ct),
            };
        });
        await app.StartAsync();

        Assert.True(await app.Coordinator.WaitForWarmAsync(s_longWait));
        Assert.Equal(WarmupState.Warming, app.Coordinator.State);

        hold.SetResult();
        var report = await app.Coordinator.EnsureWarmAsync();
        Assert.Equal(WarmupState.Warm, report.State);
        Assert.Equal(2, report.ConnectionsWarmed);
        Assert.Contains("the app's warm-up query is broken", report.LastError, StringComparison.Ordinal);
        Assert.Contains(app.Logs.Lines(), l => l.Contains("failed on 1 of 3 connections", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkFailingOnEveryConnection_FailsTheAttempt()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out _), s =>
        {
            s.WarmConnections = 2;
            s.WarmupWork = (_, _) => throw new InvalidOperationException("broken everywhere");
        });
        await app.StartAsync();

        var report = await app.Coordinator.EnsureWarmAsync();
        Assert.Equal(WarmupState.Degraded, report.State);
        Assert.Contains("broken everywhere", report.LastError, StringComparison.Ordinal);
        Assert.False(await app.Coordinator.WaitForWarmAsync(s_longWait));
    }

    // The usual cold start: the app took a request before the first connection was warm. That invocation goes alone:
    // the other connections open once it has run its query, so their handshakes do not compete with it for the CPU.
    // Server-side evidence: every other backend starts after the invocation's query ran.
    [Fact]
    public async Task OneWaiter_TheOthersOpenAfterItsQuery_NotBesideIt()
    {
        var firstWork = new FirstWorkBarrier();
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s =>
        {
            s.WarmConnections = 3;
            s.WarmupWork = firstWork.Work;
        });
        await app.StartAsync();

        // The invocation waits at the gate while the first connection is still in its work (so it is open by now).
        var gate = app.Coordinator.WaitForWarmAsync(s_longWait);
        await firstWork.Entered;
        Assert.False(gate.IsCompleted);
        var first = Assert.Single(await pg.Cluster.BackendPidsAsync(appName));
        firstWork.Release();
        Assert.True(await gate);

        DateTime queried;
        int servedBy;
        await using (var connection = await app.DataSource.OpenConnectionAsync())
        await using (var command = new NpgsqlCommand("SELECT clock_timestamp()::timestamp, pg_backend_pid()", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            queried = reader.GetDateTime(0);
            servedBy = reader.GetInt32(1);
        }

        Assert.Equal(first, servedBy);
        Assert.Equal(3, (await app.Coordinator.EnsureWarmAsync()).ConnectionsWarmed);
        var others = await pg.Cluster.ScalarAsync<DateTime[]>(
            $"SELECT array_agg(backend_start::timestamp) FROM pg_stat_activity WHERE application_name = '{appName}' AND pid <> {first}");
        Assert.Equal(2, others!.Length);
        Assert.All(others, started => Assert.True(started > queried, $"a backend started at {started:O}, before the invocation's query at {queried:O}"));
    }
}
