using System.Diagnostics;
using System.Globalization;
using Prewarm.LocalPostgres;
using Prewarm.Tests.Infrastructure;
using Prewarm.Warmup;
using Xunit.Abstractions;

namespace Prewarm.FaultTests.Storm;

// K real app processes start at once against one server, as a Function App scaling out does (npgsql #5604).
public sealed class StormTests(ITestOutputHelper output)
{
    private const int K = 4;
    private const int N = 3;
    // With this bound a run that retried in a tight loop would be caught: WarmupTimeout / the first retry delay (250 ms) is 120.
    private const int MaxAttempts = 40;

    private static readonly Dictionary<string, string> s_settings = new()
    {
        ["WarmConnections"] = N.ToString(CultureInfo.InvariantCulture),
        ["RetryMaxDelay"] = "00:00:01",
        ["WarmupTimeout"] = "00:00:30",
        ["KeepAliveInterval"] = "00:00:00.500",
        // Processes started in the same instant spread their first opens over this much.
        ["StartJitter"] = "00:00:01",
    };

    [Fact]
    public async Task RoomForAll_EveryProcessEndsWarmWithN()
    {
        // Room for every connection and the reserve that top-ups leave free for instances that hold none.
        await using var cluster = await StormFleet.CreateClusterAsync(appSlots: K * N + FairShare.Reserve);
        var apps = StormFleet.StartAll(cluster, K, s_settings);
        try
        {
            var reports = await Task.WhenAll(apps.Select(a => a.ReadReportAsync()));
            for (var i = 0; i < K; i++)
            {
                output.WriteLine($"{apps[i].ApplicationName}: {reports[i].State}, {reports[i].ConnectionsWarmed}/{reports[i].ConnectionsRequested}, {reports[i].Attempts} attempts, {reports[i].Duration.TotalMilliseconds:0} ms");
                Assert.Equal(WarmupState.Warm, reports[i].State);
                Assert.Equal(N, reports[i].ConnectionsWarmed);
                Assert.Equal(N, (await cluster.BackendPidsAsync(apps[i].ApplicationName)).Length);
                Assert.Equal("served", await apps[i].QueryAsync());
            }

            await LogOpenSpreadAsync(cluster);
        }
        finally
        {
            await StormFleet.DisposeAllAsync(apps);
        }
    }

    [Fact]
    public async Task RoomForFewer_EachEndsWarmWithWhatItGot_ReportsTheShortfall_AndTopsUpOnceRoomAppears()
    {
        // Room for all but N-1 beyond the reserve that top-ups leave free: whatever the order, every process
        // gets at least one and someone falls short; once one stops, the others fit.
        const int slots = (K - 1) * N + 1 + FairShare.Reserve;
        await using var cluster = await StormFleet.CreateClusterAsync(appSlots: slots);
        var apps = StormFleet.StartAll(cluster, K, s_settings);
        try
        {
            var reports = await Task.WhenAll(apps.Select(a => a.ReadReportAsync()));
            for (var i = 0; i < K; i++)
            {
                output.WriteLine($"{apps[i].ApplicationName}: {reports[i].State}, {reports[i].ConnectionsWarmed}/{reports[i].ConnectionsRequested}, {reports[i].Attempts} attempts, {reports[i].SqlState}");
                Assert.Equal(WarmupState.Warm, reports[i].State);
                Assert.InRange(reports[i].ConnectionsWarmed, 1, N);
                Assert.InRange(reports[i].Attempts, 1, MaxAttempts);
                Assert.False(apps[i].HasExited);
                Assert.Equal("served", await apps[i].QueryAsync());
            }

            Assert.Contains(reports, r => r.ConnectionsWarmed < r.ConnectionsRequested);
            Assert.True(reports.Sum(r => r.ConnectionsWarmed) <= slots);

            // Stop the process holding the most: its slots are enough for every other one's shortfall.
            var held = await Task.WhenAll(apps.Select(async a => (await cluster.BackendPidsAsync(a.ApplicationName)).Length));
            var stopped = Array.IndexOf(held, held.Max());
            Assert.Equal(0, await apps[stopped].StopAsync());
            await cluster.WaitForBackendCountAsync(apps[stopped].ApplicationName, 0);
            var room = Stopwatch.StartNew();

            for (var i = 0; i < K; i++)
            {
                if (i == stopped)
                {
                    continue;
                }

                // The background keep-alive tops each up; the server is polled (bounded) to see it happen.
                await cluster.WaitForBackendCountAsync(apps[i].ApplicationName, N);

                Assert.Equal("served", await apps[i].QueryAsync());
                Assert.False(apps[i].HasExited);
            }

            output.WriteLine($"room appeared -> every other process back at {N}: {room.ElapsedMilliseconds} ms (keep-alive interval 500 ms)");
        }
        catch
        {
            WriteLogs(apps);
            throw;
        }
        finally
        {
            await StormFleet.DisposeAllAsync(apps);
        }
    }

    private void WriteLogs(IEnumerable<StormProcess> apps)
    {
        foreach (var app in apps)
        {
            output.WriteLine($"{app.ApplicationName} log:\n{app.RecentLog}");
        }
    }

    // For the docs, never asserted: how far apart the processes' opens landed.
    private async Task LogOpenSpreadAsync(PostgresCluster cluster)
    {
        var spread = await cluster.ScalarAsync<double>(
            "SELECT coalesce(extract(epoch FROM max(backend_start) - min(backend_start)) * 1000, 0) FROM pg_stat_activity WHERE application_name LIKE 't-%'");
        output.WriteLine($"backend_start spread across all processes: {spread:0} ms");
    }
}
