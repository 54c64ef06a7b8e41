using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Hosting;

// The warm-up starts inside AddPrewarmedNpgsql, so the app's own start-up (the rest of Program.cs, Build, the web
// server's or the worker's start) overlaps the first open instead of preceding it; and nothing outlives a host that
// is never started or never built.
[Collection(PostgresTests.Name)]
public sealed class EarlyStartTests(PostgresFixture pg)
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FirstConnection_OpensAndRunsItsWork_BeforeTheHostIsBuilt()
    {
        var marker = await pg.Cluster.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        var firstWork = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = TestApp.CreateBuilder(new Dictionary<string, string?> { ["ConnectionStrings:postgres"] = pg.AppConnectionString(out _) }, null);
        builder.AddPrewarmedNpgsql("postgres", s =>
        {
            s.WarmConnections = 2;
            s.WarmupWork = (connection, _) =>
            {
                firstWork.TrySetResult(connection.ProcessID);
                return Task.CompletedTask;
            };
        });

        // Not built yet: the only thing that can have opened this connection is AddPrewarmedNpgsql itself.
        var pid = await firstWork.Task.WaitAsync(s_bound);
        var backendStart = await pg.Cluster.ScalarAsync<DateTime>($"SELECT backend_start FROM pg_stat_activity WHERE pid = {pid}");
        Assert.True(backendStart >= marker, $"backend_start {backendStart:O} is before the marker {marker:O}");

        // Once built, the host's logging has what the early warm-up logged before it existed, Npgsql's lines included.
        using var host = builder.Build();
        var logs = host.Services.GetFakeLogCollector().Lines();
        Assert.Contains(logs, l => l.Contains("Prewarm warm-up for 'postgres' started", StringComparison.Ordinal));
        Assert.Contains(host.Services.GetFakeLogCollector().GetSnapshot(), r => r.Category?.StartsWith("Npgsql.", StringComparison.Ordinal) == true);
        await host.StartAsync();
        Assert.Equal(2, (await host.Services.GetRequiredService<WarmupCoordinator>().EnsureWarmAsync()).ConnectionsWarmed);
        await host.StopAsync();
    }

    [Fact]
    public async Task HostBuiltAndDisposed_WithoutBeingStarted_LeavesNoBackend()
    {
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var builder = TestApp.CreateBuilder(new Dictionary<string, string?> { ["ConnectionStrings:postgres"] = pg.AppConnectionString(out var appName) }, null);
        builder.AddPrewarmedNpgsql("postgres", s =>
        {
            s.WarmConnections = 3;
            s.WarmupWork = (_, ct) =>
            {
                // The first connection is warm and idle, the others are in their work: the pool is busy and idle at once.
                if (Interlocked.Increment(ref calls) == 1)
                {
                    return Task.CompletedTask;
                }

                opened.TrySetResult();
                return hold.Task.WaitAsync(ct);
            };
        });
        // Nothing is resolved from the host: Build alone must hand the early warm-up to the container that disposes it.
        var host = builder.Build();
        await opened.Task.WaitAsync(s_bound);
        Assert.NotEmpty(await pg.Cluster.BackendPidsAsync(appName));

        host.Dispose();

        await pg.Cluster.WaitForBackendCountAsync(appName, 0);
    }

    [Fact]
    public async Task HostNeverBuilt_EarlyWarmupIsStoppedAfterStartupTimeout_AndItsConnectionsClosed()
    {
        var time = new FakeTimeProvider();
        var warm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = TestApp.CreateBuilder(new Dictionary<string, string?> { ["ConnectionStrings:postgres"] = pg.AppConnectionString(out var appName) }, time);
        builder.AddPrewarmedNpgsql("postgres", s =>
        {
            s.WarmConnections = 1;
            s.WarmupWork = (_, _) =>
            {
                warm.TrySetResult();
                return Task.CompletedTask;
            };
        });
        await warm.Task.WaitAsync(s_bound);
        await pg.Cluster.WaitForBackendCountAsync(appName, 1);

        // Program.cs never gets to Build (it threw, say): the early warm-up gives up once the host would have been late.
        time.Advance(PrewarmDefaults.StartupTimeout);

        await pg.Cluster.WaitForBackendCountAsync(appName, 0);
    }

    [Fact]
    public async Task TimeProviderRegisteredAfterAddPrewarmedNpgsql_FailsAtBuild_SayingWhatToDo_AndClosesTheEarlyConnections()
    {
        var warm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A clock that never moves on its own, so StartupTimeout's abandonment cannot be what closes the connection.
        var builder = TestApp.CreateBuilder(new Dictionary<string, string?> { ["ConnectionStrings:postgres"] = pg.AppConnectionString(out var appName) }, new FakeTimeProvider());
        builder.AddPrewarmedNpgsql("postgres", s =>
        {
            s.WarmConnections = 1;
            s.WarmupWork = (_, _) =>
            {
                warm.TrySetResult();
                return Task.CompletedTask;
            };
        });
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        await warm.Task.WaitAsync(s_bound);
        await pg.Cluster.WaitForBackendCountAsync(appName, 1);

        var ex = Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Contains("register yours first", ex.Message, StringComparison.Ordinal);

        // No host exists to dispose the warm-up, and the app is going down: its connections close now, not at StartupTimeout.
        await pg.Cluster.WaitForBackendCountAsync(appName, 0);
    }

    [Fact]
    public async Task Disabled_OpensNothing_AndTheGatePassesAtOnce()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), configuration: new Dictionary<string, string?> { ["Prewarm:postgres:Enabled"] = "false" });
        await app.StartAsync();

        var gate = app.Coordinator.WaitForWarmAsync(TimeSpan.FromSeconds(1));
        Assert.True(gate.IsCompletedSuccessfully);
        Assert.True(await gate);
        Assert.Empty(await pg.Cluster.BackendPidsAsync(appName));
        Assert.Contains(app.Logs.Lines(), l => l.Contains("is disabled", StringComparison.Ordinal));
    }
}
