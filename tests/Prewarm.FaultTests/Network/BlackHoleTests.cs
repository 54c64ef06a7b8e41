using System.Diagnostics;
using Npgsql;
using Prewarm.FaultTests.Infrastructure;
using Prewarm.LocalPostgres.Network;
using Prewarm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Prewarm.FaultTests.Network;

// The proxy accepts and never answers: connects "succeed", then nothing comes back. Only deadlines end the waits.
public sealed class BlackHoleTests(PostgresFixture pg, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int N = 2;
    private static readonly TimeSpan s_warmupTimeout = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan s_gateTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task BlackHoledFromTheStart_WarmupAndGateGiveUpAtTheirDeadlines()
    {
        await using var proxy = NetworkProxy.Start(pg.Cluster.Host, pg.Cluster.Port);
        proxy.Mode = FaultMode.BlackHole;
        await using var app = CreateApp(proxy, out var appName);

        var started = Stopwatch.StartNew();
        await app.StartAsync();
        var report = await app.Coordinator.EnsureWarmAsync().Within();
        output.WriteLine($"warm-up through a black hole gave up after {started.ElapsedMilliseconds} ms (WarmupTimeout {s_warmupTimeout.TotalMilliseconds} ms): {report.LastError}");

        Assert.Equal(WarmupState.Degraded, report.State);
        Assert.NotNull(report.LastError);
        Assert.False(await app.Coordinator.WaitForWarmAsync(s_gateTimeout).Within());
        Assert.Empty(await pg.Cluster.BackendPidsAsync(appName));
    }

    [Fact]
    public async Task BlackHoledWhileWarm_RequestsFail_KeepAliveAndGateGiveUp_ThenRecoverWhenTheNetworkIsBack()
    {
        await using var proxy = NetworkProxy.Start(pg.Cluster.Host, pg.Cluster.Port);
        await using var app = CreateApp(proxy, out _);
        await app.StartAsync();
        Assert.Equal(WarmupState.Warm, (await app.Coordinator.EnsureWarmAsync().Within()).State);

        proxy.Mode = FaultMode.BlackHole;
        var request = await app.SelectOneAsync(s_gateTimeout).Within();
        var pass = await app.Coordinator.RunKeepAliveAsync().Within();
        var gate = await app.Coordinator.WaitForWarmAsync(s_gateTimeout).Within();
        output.WriteLine($"black hole while warm: request {request.Outcome} ({request.Error?.GetType().Name}), keep-alive error: {pass.LastError}, gate {gate}");

        // Command Timeout ends the request; the failure it reports (or the pass's) takes the pool out of Warm.
        Assert.Equal(RequestOutcome.Failed, request.Outcome);
        Assert.IsType<NpgsqlException>(request.Error, exactMatch: false);
        Assert.NotNull(pass.LastError);
        Assert.False(gate);

        // The backends behind the black-holed flows linger until TCP keepalive reaps them, as behind a real
        // partition, so the server's count is no measure here: the fresh warm-up is.
        proxy.Mode = FaultMode.Pass;
        var rewarm = await app.Coordinator.WarmAgainAsync();
        Assert.Equal(N, rewarm.ConnectionsWarmed);
        Assert.Equal(RequestOutcome.Served, (await app.SelectOneAsync(TimeSpan.FromSeconds(10)).Within()).Outcome);
    }

    // Every driver deadline short, so each wait on the black hole ends in seconds; the test guard is far above them.
    private TestApp CreateApp(NetworkProxy proxy, out string appName)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(pg.AppConnectionString(out appName))
        {
            Port = proxy.Port,
            Timeout = 2,
            CommandTimeout = 2,
            CancellationTimeout = 500,
        }.ConnectionString;
        return TestApp.Create(connectionString, s =>
        {
            s.WarmConnections = N;
            s.WarmupTimeout = s_warmupTimeout;
            s.GateTimeout = s_gateTimeout;
            s.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
            s.RetryMaxDelay = TimeSpan.FromSeconds(1);
        });
    }
}
