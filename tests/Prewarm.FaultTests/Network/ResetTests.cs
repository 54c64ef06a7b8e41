using Npgsql;
using Prewarm.FaultTests.Infrastructure;
using Prewarm.LocalPostgres.Network;
using Prewarm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Prewarm.FaultTests.Network;

// Every pooled flow is reset (RST) and new ones pass again: what an Azure load balancer leaves behind after cutting
// flows idle for more than 4 minutes, noticed only when the client next writes.
public sealed class ResetTests(PostgresFixture pg, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int N = 3;

    [Fact]
    public async Task PooledFlowsReset_TheNextKeepAlivePassReplacesThem_SoNoRequestFails()
    {
        await using var proxy = NetworkProxy.Start(pg.Cluster.Host, pg.Cluster.Port);
        await using var app = CreateApp(proxy, out var appName);
        var before = await app.StartWarmAsync(pg.Cluster, appName, N);

        ResetEveryFlow(proxy);
        var pass = await app.Coordinator.RunKeepAliveAsync().Within();
        await app.Coordinator.WarmAgainAsync();
        output.WriteLine($"keep-alive after a reset: validated {pass.Validated}, replaced {pass.Replaced}, opened {pass.Opened}, error {pass.LastError}");

        var requests = await Task.WhenAll(Enumerable.Range(0, N).Select(_ => app.SelectOneAsync(TimeSpan.FromSeconds(10)))).Within();
        Assert.All(requests, r => Assert.Equal(RequestOutcome.Served, r.Outcome));
        await pg.Cluster.WaitForFreshBackendsAsync(appName, before, N);
    }

    [Fact]
    public async Task PooledFlowsReset_WithNoPassBetween_OneRequestFails_ThenTheGateWaitsForTheRewarm()
    {
        await using var proxy = NetworkProxy.Start(pg.Cluster.Host, pg.Cluster.Port);
        await using var app = CreateApp(proxy, out var appName);
        var before = await app.StartWarmAsync(pg.Cluster, appName, N);

        ResetEveryFlow(proxy);
        var outcomes = new List<RequestOutcome>();
        for (var i = 0; i < 2 * N; i++)
        {
            var (outcome, error) = await app.SelectOneAsync(TimeSpan.FromSeconds(10)).Within();
            outcomes.Add(outcome);
            Assert.True(error is null or NpgsqlException or IOException, $"Unexpected failure: {error}");
        }

        output.WriteLine($"after a reset, {2 * N} requests in a row: {string.Join(", ", outcomes)}");
        // Without the failure report each of the N reset connections would fail a request of its own.
        Assert.True(outcomes.Count(o => o == RequestOutcome.Failed) <= 1, string.Join(", ", outcomes));
        Assert.Equal(RequestOutcome.Served, outcomes[^1]);
        // The re-warm replaced every reset connection. One more is allowed: a request that opens in the instant the
        // re-warm takes the warm idle connections out of the pool to open its next one (ConnectionWarmer's window) gets
        // a new connection of its own; it is warm-path code, not a failure, and this test is about the gate.
        await pg.Cluster.WaitForFreshBackendsAsync(appName, before, N, atMost: N + 1);
    }

    // A cut, not an outage: existing flows get RST, the next connection goes through.
    private static void ResetEveryFlow(NetworkProxy proxy)
    {
        proxy.Mode = FaultMode.Reset;
        proxy.Mode = FaultMode.Pass;
    }

    private TestApp CreateApp(NetworkProxy proxy, out string appName)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(pg.AppConnectionString(out appName)) { Port = proxy.Port, Timeout = 2 }.ConnectionString;
        return TestApp.Create(connectionString, s =>
        {
            s.WarmConnections = N;
            s.RetryBaseDelay = TimeSpan.FromMilliseconds(100);
            s.RetryMaxDelay = TimeSpan.FromSeconds(1);
        });
    }
}
