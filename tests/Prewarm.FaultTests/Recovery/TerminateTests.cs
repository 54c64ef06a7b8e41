using System.Diagnostics;
using Prewarm.FaultTests.Infrastructure;
using Prewarm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Prewarm.FaultTests.Recovery;

public sealed class TerminateTests(PostgresFixture pg, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int N = 3;

    [Fact]
    public async Task EveryPooledConnectionTerminated_BackgroundKeepAlive_RestoresNLiveOnes_AndNoRequestFailsAfterwards()
    {
        // The host's own keep-alive loop, not a pass the test calls: this is what a non-Functions app runs.
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName), s =>
        {
            s.WarmConnections = N;
            s.KeepAliveInterval = TimeSpan.FromMilliseconds(250);
        });
        await app.StartAsync();
        Assert.Equal(WarmupState.Warm, (await app.Coordinator.EnsureWarmAsync().Within()).State);
        var before = await pg.Cluster.WaitForBackendCountAsync(appName, N);

        var cut = Stopwatch.StartNew();
        await pg.Cluster.TerminateAsync(appName);
        var after = await pg.Cluster.WaitForFreshBackendsAsync(appName, before, N);
        output.WriteLine($"terminate -> {N} fresh backends: {cut.ElapsedMilliseconds} ms (keep-alive interval 250 ms)");

        // 2N at once: every pooled connection is used and some are opened on demand; none may be a corpse.
        var requests = await Task.WhenAll(Enumerable.Range(0, 2 * N).Select(_ => app.SelectOneAsync(TimeSpan.FromSeconds(10)))).Within();
        Assert.All(requests, r => Assert.Equal(RequestOutcome.Served, r.Outcome));
        Assert.Equal(WarmupState.Warm, app.Coordinator.State);
        Assert.Empty(after.Intersect(before));
    }
}
