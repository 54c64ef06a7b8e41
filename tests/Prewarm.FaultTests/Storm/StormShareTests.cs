using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Prewarm.LocalPostgres;
using Prewarm.Tests.Infrastructure;
using Prewarm.Warmup;
using Xunit.Abstractions;

namespace Prewarm.FaultTests.Storm;

// Fair shares at scale-out (issue 14): more instances want connections than the server has slots for. Every instance
// serves from the start (queries run while it warms), as a Function App's instances take traffic once started.
public sealed class StormShareTests(ITestOutputHelper output)
{
    // A process that retried in a tight loop would be caught: WarmupTimeout / the first backoff step (250 ms) is 120
    // attempts a run; capped at RetryMaxDelay (1 s), backoff allows about 30.
    private const int MaxAttemptsPerRun = 40;
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(90);

    // Every process serves from its start, without waiting for its warm-up to end first (see StormApp).
    private static readonly Dictionary<string, string> s_serveAtOnce = new() { ["StormApp__ServeAtOnce"] = "true" };

    private static Dictionary<string, string> Settings(int n) => new()
    {
        ["WarmConnections"] = n.ToString(CultureInfo.InvariantCulture),
        ["RetryMaxDelay"] = "00:00:01",
        ["WarmupTimeout"] = "00:00:30",
        ["GateTimeout"] = "00:00:01",
        ["KeepAliveInterval"] = "00:00:01",
        ["StartJitter"] = "00:00:01",
    };

    [Fact]
    public async Task SixByFour_Against17Slots_EveryProcessServes_NoneFailsAfterItsFirstSuccess_FreedSlotsAreTaken()
    {
        const int k = 6, n = 4, slots = 17;
        await using var cluster = await StormFleet.CreateClusterAsync(slots, testSlots: ServerWatch.Slots);
        var started = Stopwatch.StartNew();
        var apps = StormFleet.StartAll(cluster, k, Settings(n), s_serveAtOnce);
        var traffic = apps.Select(a => new Traffic(a)).ToArray();
        await using var server = await ServerWatch.StartAsync(cluster);
        async Task<string> Shares() => string.Join(", ", await server.HeldAsync(apps));
        try
        {
            // Every process holds a backend and has served.
            await WaitUntilAsync(async () => (await server.HeldAsync(apps)).All(h => h >= 1) && traffic.All(t => t.FirstSuccess is not null), Shares);
            output.WriteLine($"every process holds a backend and has served: {started.ElapsedMilliseconds} ms after the first start");

            // Topped up to what the server has beyond the reserve.
            var held = Array.Empty<int>();
            await WaitUntilAsync(
                async () => (held = await server.HeldAsync(apps)).Sum() >= slots - FairShare.Reserve && held.All(h => h is >= 1 and <= n), Shares);
            output.WriteLine($"shares once settled: {string.Join(", ", held)} of {n} each ({held.Sum()} of {slots} slots)");
            Assert.All(held, h => Assert.InRange(h, 1, n));

            // One process stops: the others take its slots.
            var stopped = Array.IndexOf(held, held.Max());
            var othersBefore = held.Sum() - held[stopped];
            await traffic[stopped].StopAsync();
            Assert.Equal(0, await apps[stopped].StopAsync());
            await cluster.WaitForBackendCountAsync(apps[stopped].ApplicationName, 0);
            var freed = Stopwatch.StartNew();
            await WaitUntilAsync(async () => (await server.HeldAsync(apps)).Sum() >= slots - FairShare.Reserve, Shares);
            output.WriteLine($"{held[stopped]} slots freed -> taken by the others ({othersBefore} -> {slots - FairShare.Reserve}) in {freed.ElapsedMilliseconds} ms (keep-alive interval 1000 ms)");

            await Task.WhenAll(traffic.Select(t => t.StopAsync()));
            foreach (var t in traffic)
            {
                output.WriteLine($"{t.App.ApplicationName}: {t.Served} served, {t.NotServedBeforeFirstSuccess} not served before its first success");
                Assert.Empty(t.FailuresAfterFirstSuccess);
            }

            Assert.True(server.MaxSeen <= slots, $"{server.MaxSeen} app backends on a server with {slots} app slots");
            Assert.All(apps.Where((_, i) => i != stopped), a => Assert.False(a.HasExited));
        }
        catch
        {
            WriteLogs(apps, traffic);
            throw;
        }
        finally
        {
            await Task.WhenAll(traffic.Select(t => t.StopAsync()));
            await StormFleet.DisposeAllAsync(apps);
        }
    }

    [Fact]
    public async Task MoreProcessesThanSlots_EachHoldsAtMostOne_TheRestRetryWithBackoff_NoStorm()
    {
        // Twenty app processes, 1-2 s of start-up CPU each: as many as two cores start within the test's bound.
        const int k = 20, n = 2, slots = 10;
        await using var cluster = await StormFleet.CreateClusterAsync(slots, testSlots: ServerWatch.Slots);
        var started = Stopwatch.StartNew();
        var apps = StormFleet.StartAll(cluster, k, Settings(n), s_serveAtOnce);
        await using var server = await ServerWatch.StartAsync(cluster);
        async Task<string> Shares() => string.Join(", ", await server.HeldAsync(apps));
        try
        {
            // Every slot is taken, and no process holds more than one while others hold none.
            await WaitUntilAsync(async () =>
            {
                var held = await server.HeldAsync(apps);
                return held.Sum() == slots && held.All(h => h <= 1);
            }, Shares);
            var shares = await server.HeldAsync(apps);
            output.WriteLine($"settled {started.ElapsedMilliseconds} ms after the first start");
            output.WriteLine($"shares: {string.Join(", ", shares)} ({shares.Sum()} of {slots} slots, {shares.Count(h => h == 0)} processes with none)");

            foreach (var app in apps)
            {
                Assert.False(app.HasExited);
                // A process whose first run has not ended yet has no report: its attempts are in the next one it prints.
                if (await app.RequestReportOrNullAsync() is not { } report)
                {
                    output.WriteLine($"{app.ApplicationName}: first run still going");
                    continue;
                }

                output.WriteLine($"{app.ApplicationName}: {report.State}, {report.ConnectionsWarmed}/{report.ConnectionsRequested}, {report.Attempts} attempts this run, {report.SqlState}");
                // Those that got nothing are retrying with backoff, not in a loop.
                Assert.InRange(report.Attempts, 0, MaxAttemptsPerRun);
            }

            Assert.Equal(slots, (await server.HeldAsync(apps)).Sum());
            Assert.True(server.MaxSeen <= slots, $"{server.MaxSeen} app backends on a server with {slots} app slots");
        }
        catch
        {
            WriteLogs(apps, []);
            throw;
        }
        finally
        {
            await StormFleet.DisposeAllAsync(apps);
        }
    }

    // Follows the server's samples, bounded: the condition is server state, which no event announces.
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<Task<string>> state)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > s_bound)
            {
                throw new TimeoutException($"not reached within {s_bound}; the server shows {await state()}");
            }
        }
    }

    // The failures come last: a runner that shows only the tail of a failed test's output still shows them.
    private void WriteLogs(IEnumerable<StormProcess> apps, IEnumerable<Traffic> traffic)
    {
        foreach (var app in apps)
        {
            output.WriteLine($"{app.ApplicationName} log:\n{app.RecentLog}");
        }

        foreach (var t in traffic)
        {
            output.WriteLine($"{t.App.ApplicationName} failures after first success: {string.Join(" | ", t.FailuresAfterFirstSuccess.Take(5))}");
        }
    }

    // One client per process, one query at a time, from its start until stopped.
    private sealed class Traffic
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        public Traffic(StormProcess app)
        {
            App = app;
            _running = Task.Run(RunAsync);
        }

        public StormProcess App { get; }

        public int Served { get; private set; }

        public int NotServedBeforeFirstSuccess { get; private set; }

        public DateTime? FirstSuccess { get; private set; }

        public ConcurrentQueue<string> FailuresAfterFirstSuccess { get; } = new();

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _running;
        }

        private async Task RunAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var answer = await App.QueryAsync();
                if (answer == "served")
                {
                    Served++;
                    FirstSuccess ??= DateTime.UtcNow;
                }
                else if (FirstSuccess is null)
                {
                    NotServedBeforeFirstSuccess++;
                }
                else
                {
                    FailuresAfterFirstSuccess.Enqueue(answer);
                }

                // Paced like a steady trickle of requests, so the processes' start-up is not starved of CPU.
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    // What the server sees, sampled every 50 ms on one superuser connection held for the whole test: under the storm a
    // new connection per look could be refused like any other, and the samples also show the limit holding.
    private sealed class ServerWatch : IAsyncDisposable
    {
        // A superuser connection takes an ordinary slot while there is one, so the server gets one more for it.
        public const int Slots = 1;

        private readonly NpgsqlConnection _connection;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private TaskCompletionSource<IReadOnlyDictionary<string, int>> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private ServerWatch(NpgsqlConnection connection)
        {
            _connection = connection;
            _sampling = Task.Run(SampleAsync);
        }

        public long MaxSeen { get; private set; }

        public static async Task<ServerWatch> StartAsync(PostgresCluster cluster)
        {
            var connection = new NpgsqlConnection(cluster.ConnectionString());
            await connection.OpenAsync();
            return new ServerWatch(connection);
        }

        /// <summary>Backends per process in the next sample; a process that has exited holds none.</summary>
        public async Task<int[]> HeldAsync(IEnumerable<StormProcess> apps)
        {
            var sample = await Volatile.Read(ref _next).Task.WaitAsync(TimeSpan.FromSeconds(30));
            return [.. apps.Select(a => a.HasExited ? 0 : sample.GetValueOrDefault(a.ApplicationName))];
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _sampling;
            await _connection.DisposeAsync();
            _stop.Dispose();
        }

        private async Task SampleAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var sample = new Dictionary<string, int>();
                await using (var command = new NpgsqlCommand(
                    $"SELECT application_name, count(*)::int FROM pg_stat_activity WHERE usename = '{PostgresFixture.AppUser}' GROUP BY 1", _connection))
                await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
                {
                    while (await reader.ReadAsync(CancellationToken.None))
                    {
                        sample[reader.GetString(0)] = reader.GetInt32(1);
                    }
                }

                MaxSeen = Math.Max(MaxSeen, sample.Values.Sum());
                Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(sample);
                try
                {
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
