using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;
using Prewarm.FaultTests.Infrastructure;
using Prewarm.LocalPostgres;
using Prewarm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Prewarm.FaultTests.Recovery;

public sealed class RestartTests(PostgresFixture pg, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int N = 3;
    private const int RequestsPerPhase = 6;
    private static readonly TimeSpan s_gateTimeout = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(StopMode.Fast)]
    [InlineData(StopMode.Immediate)]
    public async Task ServerRestart_AtMostOneRequestFails_Fast_AndEveryRequestAfterItIsBackSucceeds(StopMode mode)
    {
        await using var app = CreateApp(out var appName);
        var before = await app.StartWarmAsync(pg.Cluster, appName, N);

        await pg.Cluster.StopAsync(mode);
        var outage = new List<(RequestOutcome Outcome, Exception? Error)>();
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < RequestsPerPhase; i++)
        {
            // The guard only catches a hang; the failure itself comes from the driver within its own timeouts.
            var request = Stopwatch.StartNew();
            outage.Add(await app.SelectOneAsync(s_gateTimeout).Within());
            slowest = request.Elapsed > slowest ? request.Elapsed : slowest;
        }

        output.WriteLine($"{mode}: slowest answer during the outage: {slowest.TotalMilliseconds:0} ms (gate timeout {s_gateTimeout.TotalMilliseconds:0} ms, connect Timeout 2 s)");

        var down = Stopwatch.StartNew();
        await pg.Cluster.StartAsync();
        await app.Coordinator.WarmAgainAsync();
        output.WriteLine($"{mode}: server started -> warm again: {down.ElapsedMilliseconds} ms");

        var afterwards = new List<(RequestOutcome Outcome, Exception? Error)>();
        for (var i = 0; i < RequestsPerPhase; i++)
        {
            afterwards.Add(await app.SelectOneAsync(TimeSpan.FromSeconds(10)).Within());
        }

        output.WriteLine($"{mode}: during the outage {string.Join(", ", outage.Select(o => o.Outcome))}");
        foreach (var (_, error) in outage.Where(o => o.Error is not null))
        {
            output.WriteLine($"  {error!.GetType().Name}: {error.Message}");
        }

        // The first request meets a dead pooled connection and fails; once it is reported the gate turns the rest
        // away at once instead of letting each of them find another corpse or wait out a connect timeout.
        Assert.True(outage.Count(o => o.Outcome == RequestOutcome.Failed) <= 1, string.Join(", ", outage.Select(o => o.Outcome)));
        Assert.All(outage.Where(o => o.Error is not null), o => Assert.True(
            o.Error is NpgsqlException or IOException or SocketException, $"Unexpected failure: {o.Error}"));
        Assert.All(afterwards, a => Assert.Equal(RequestOutcome.Served, a.Outcome));
        var after = await pg.Cluster.WaitForBackendCountAsync(appName, N);
        Assert.Empty(after.Intersect(before));
    }

    [Theory]
    [InlineData(StopMode.Fast)]
    [InlineData(StopMode.Immediate)]
    public async Task RequestsArrivingDuringTheOutage_WaitAtTheGate_AndAreServedOnceTheServerIsBack(StopMode mode)
    {
        await using var app = CreateApp(out var appName);
        await app.StartWarmAsync(pg.Cluster, appName, N);
        await pg.Cluster.StopAsync(mode);
        var first = await app.SelectOneAsync(s_gateTimeout).Within();
        Assert.Equal(RequestOutcome.Failed, first.Outcome);

        // A restart is shorter than a generous gate: requests that arrive while it lasts should be served late, not
        // turned away, because the re-warm started by the first failure succeeds as soon as the server is back.
        var waiting = Enumerable.Range(0, N).Select(_ => app.SelectOneAsync(TimeSpan.FromSeconds(30))).ToArray();
        await pg.Cluster.StartAsync();
        var outcomes = await Task.WhenAll(waiting).Within();

        output.WriteLine($"{mode}: requests that arrived during the outage: {string.Join(", ", outcomes.Select(o => o.Outcome))}");
        Assert.All(outcomes, o => Assert.Equal(RequestOutcome.Served, o.Outcome));
    }

    [Theory]
    [InlineData(StopMode.Fast)]
    [InlineData(StopMode.Immediate)]
    public async Task QuickRestartWithNoTraffic_KeepAlivePassClearsTheCorpses_SoTheFirstRequestAfterwardsSucceeds(StopMode mode)
    {
        await using var app = CreateApp(out var appName);
        var before = await app.StartWarmAsync(pg.Cluster, appName, N);

        await pg.Cluster.RestartAsync(mode);
        // The Functions timer or the background loop: one pass after the restart, before any request.
        var pass = await app.Coordinator.RunKeepAliveAsync().Within();
        await app.Coordinator.WarmAgainAsync();

        output.WriteLine($"{mode}: keep-alive after restart: validated {pass.Validated}, replaced {pass.Replaced}, opened {pass.Opened}, error {pass.LastError}");
        var requests = await Task.WhenAll(Enumerable.Range(0, N).Select(_ => app.SelectOneAsync(TimeSpan.FromSeconds(10)))).Within();
        Assert.All(requests, r => Assert.Equal(RequestOutcome.Served, r.Outcome));
        var after = await pg.Cluster.WaitForBackendCountAsync(appName, N);
        Assert.Empty(after.Intersect(before));
    }

    // Timeout=2: a request that cannot connect must fail in seconds, not after Npgsql's default 15 s.
    private TestApp CreateApp(out string appName) => TestApp.Create(pg.AppConnectionString(out appName, extra: "Timeout=2"), s =>
    {
        s.WarmConnections = N;
        s.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
        s.RetryMaxDelay = TimeSpan.FromSeconds(1);
        s.GateTimeout = s_gateTimeout;
    });
}
