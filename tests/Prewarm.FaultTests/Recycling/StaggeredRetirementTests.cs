using Npgsql;
using Prewarm.FaultTests.Infrastructure;
using Prewarm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Prewarm.FaultTests.Recycling;

// Npgsql's Connection Lifetime has no jitter: connections opened together expire together, and the pool goes cold
// at once. The library retires them earlier, each at its own time, from the keep-alive pass (off the request path).
public sealed class StaggeredRetirementTests(PostgresFixture pg, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int N = 4;
    private const int Steps = 100;
    private static readonly TimeSpan s_lifetime = TimeSpan.FromMinutes(30);

    [Fact]
    public async Task ConnectionsOpenedTogether_AreRetiredAtSpreadTimes_NonePastTheLifetime_WithNLiveThroughout()
    {
        var time = new TimerTrackingTimeProvider();
        var extra = $"Connection Lifetime={(int)s_lifetime.TotalSeconds}";
        await using var app = TestApp.Create(pg.AppConnectionString(out var appName, extra: extra), s => s.WarmConnections = N, time: time);
        await WarmUnderFakeTimeAsync(app, time);
        var original = await pg.Cluster.WaitForBackendCountAsync(appName, N);
        var retiredAtStep = new Dictionary<int, int>();

        // The clock moves in 1 % steps of the lifetime, one keep-alive pass per step, as the timer would run it.
        for (var step = 1; step <= Steps && retiredAtStep.Count < N; step++)
        {
            time.Advance(s_lifetime / Steps);
            var pass = await app.Coordinator.RunKeepAliveAsync().Within();
            Assert.Null(pass.LastError);

            // The pass waits for a retired backend to leave the server before it opens the replacement.
            var live = await pg.Cluster.BackendPidsAsync(appName);
            var retiredNow = original.Where(p => !live.Contains(p) && !retiredAtStep.ContainsKey(p)).ToArray();
            foreach (var pid in retiredNow)
            {
                retiredAtStep[pid] = step;
            }

            // Retiring never leaves the pool short: each retired connection was replaced in the same pass.
            Assert.Equal(N, live.Length);
            Assert.Equal(N, pass.Connections);
            Assert.Equal(retiredNow.Length, pass.Retired);
        }

        output.WriteLine($"retired at (% of Connection Lifetime): {string.Join(", ", retiredAtStep.Values.Order())}");
        Assert.Equal(N, retiredAtStep.Count); // none outlived the lifetime
        Assert.True(retiredAtStep.Values.Distinct().Count() > 1, "All warmed connections were retired in the same pass.");
        Assert.True(retiredAtStep.Values.Min() > 1, "A connection was retired right after it was opened.");

        await using var connection = await app.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        Assert.Equal(1, await command.ExecuteScalarAsync());
    }

    // Any delay the library takes before opening (a start jitter) waits on the fake clock: move it until warm.
    private static async Task WarmUnderFakeTimeAsync(TestApp app, TimerTrackingTimeProvider time)
    {
        var tick = TimeSpan.FromMilliseconds(100);
        var warm = app.Coordinator.EnsureWarmAsync();
        using var guard = new CancellationTokenSource(Bounded.Guard);
        while (!warm.IsCompleted)
        {
            guard.Token.ThrowIfCancellationRequested();
            await Task.WhenAny(warm, time.WaitForTimerWithinAsync(tick, guard.Token));
            if (!warm.IsCompleted)
            {
                time.Advance(tick);
            }
        }

        Assert.Equal(WarmupState.Warm, (await warm).State);
    }
}
