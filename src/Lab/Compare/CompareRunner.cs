using System.Diagnostics;
using System.Net.Http.Json;
using Npgsql;
using Prewarm.Lab.Cli;
using Prewarm.Lab.Proxy;

namespace Prewarm.Lab.Compare;

/// <summary>
/// Runs the matrix: for each added RTT, each run, each strategy, two fresh processes of the sample app behind a
/// fresh delay proxy. Strategies are interleaved inside a run so a slow minute on a shared machine hits all of them.
/// </summary>
internal sealed class CompareRunner(CompareSettings settings, string connectionString, string appDll)
{
    private const int DiscardedWarmRequests = 5;
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);

    public int TotalSteps => settings.RttMs.Count * settings.Runs * settings.Strategies.Count;

    public async Task<(IReadOnlyList<CellResult> Cells, IReadOnlyList<ProxyCalibration> Calibrations)> RunAsync(
        Action<string> stepDone, CancellationToken ct)
    {
        var upstream = DatabaseTarget.Parse(connectionString);
        if (upstream.Host!.Contains(',', StringComparison.Ordinal))
        {
            throw new LabException("compare needs a single Host in the connection string (the proxy stands in front of one server)");
        }

        var calibrations = new List<ProxyCalibration>();
        var samples = settings.Strategies.SelectMany(s => settings.RttMs.Select(r => (s, r))).ToDictionary(k => k, _ => new List<RunSample>());
        foreach (var rtt in settings.RttMs)
        {
            calibrations.Add(await ProxyCalibration.MeasureAsync(TimeSpan.FromMilliseconds(rtt), ct));
            for (var run = 0; run < settings.Runs; run++)
            {
                foreach (var strategy in settings.Strategies)
                {
                    await using var proxy = DelayProxy.Start(upstream.Host, upstream.Port, TimeSpan.FromMilliseconds(rtt));
                    var proxied = new NpgsqlConnectionStringBuilder(upstream.ConnectionString) { Host = "127.0.0.1", Port = proxy.EndPoint.Port };
                    samples[(strategy, rtt)].Add(await MeasureRunAsync(strategy, proxied.ConnectionString, ct));
                    stepDone($"{strategy} @ {rtt} ms, run {run + 1}/{settings.Runs}");
                }
            }
        }

        var cells = samples.Select(kv => new CellResult(kv.Key.s, kv.Key.r, kv.Value)).ToList();
        return (cells, calibrations);
    }

    private async Task<RunSample> MeasureRunAsync(string strategy, string proxiedConnectionString, CancellationToken ct)
    {
        double firstMs, startToFirstMs, warmP50;
        StartupReport? startup;
        await using (var app = SampleAppProcess.Start(appDll, strategy, proxiedConnectionString, settings.WarmConnections, settings.PrewarmStartup))
        {
            using var client = NewClient();
            await app.WaitUntilAcceptingAsync(client, s_readyTimeout, ct);
            firstMs = await TimeOrdersAsync(client, app, ct);
            startToFirstMs = Stopwatch.GetElapsedTime(app.StartedAt).TotalMilliseconds;

            var warm = new List<double>(settings.WarmRequests);
            for (var i = 0; i < DiscardedWarmRequests + settings.WarmRequests; i++)
            {
                var ms = await TimeOrdersAsync(client, app, ct);
                if (i >= DiscardedWarmRequests)
                {
                    warm.Add(ms);
                }
            }

            warmP50 = Stats.Median(warm);
            startup = await client.GetFromJsonAsync<StartupReport>(new Uri(app.BaseAddress, "/startup"), ct);
        }

        double[] burst;
        await using (var app = SampleAppProcess.Start(appDll, strategy, proxiedConnectionString, settings.WarmConnections, settings.PrewarmStartup))
        {
            using var client = NewClient();
            await app.WaitUntilAcceptingAsync(client, s_readyTimeout, ct);
            burst = await Task.WhenAll(Enumerable.Range(0, settings.Burst).Select(_ => TimeOrdersAsync(client, app, ct)));
        }

        return new RunSample(firstMs, startToFirstMs, startup?.WarmupMs, warmP50, burst, startup?.OpenMs, startup?.WorkMs);
    }

    private static async Task<double> TimeOrdersAsync(HttpClient client, SampleAppProcess app, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(new Uri(app.BaseAddress, "/orders"), HttpCompletionOption.ResponseContentRead, ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new LabException($"/orders answered {(int)response.StatusCode}: {FirstLine(body)} (app: {app.LastLine()})");
        }

        return elapsed;
    }

    private static HttpClient NewClient() => new(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }

    /// <summary>The part of the sample app's <c>/startup</c> the lab reads.</summary>
    private sealed record StartupReport(double? WarmupMs, double? OpenMs, double? WorkMs);
}
