using System.Diagnostics;
using System.Net.Http.Json;
using Npgsql;
using Prewarm.Lab.Cli;
using Prewarm.Lab.Proxy;
using Prewarm.LocalPostgres.Network;

namespace Prewarm.Lab.Compare;

/// <summary>
/// Runs the matrix: for each added RTT, each run, each build, each strategy, two fresh processes of the sample app
/// behind a fresh delay proxy. Builds and strategies are interleaved inside a run so a slow minute on a shared machine
/// hits all of them. <c>appDlls</c> holds the sample app's dll for each build in <see cref="CompareSettings.BuildList"/>.
/// </summary>
internal sealed class CompareRunner(CompareSettings settings, string connectionString, IReadOnlyDictionary<string, string> appDlls)
{
    private const int DiscardedWarmRequests = 5;
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);

    public int TotalSteps => (settings.RttMs.Count * settings.Labels.Count + 1) * settings.Runs;

    public async Task<Measurements> RunAsync(
        Action<string> stepDone, CancellationToken ct)
    {
        var upstream = DatabaseTarget.Parse(connectionString);
        if (upstream.Host!.Contains(',', StringComparison.Ordinal))
        {
            throw new LabException("compare needs a single Host in the connection string (the proxy stands in front of one server)");
        }

        var calibrations = new List<ProxyCalibration>();
        var controls = new List<ControlSample>();
        var samples = settings.Labels.SelectMany(s => settings.RttMs.Select(r => (s, r))).ToDictionary(k => k, _ => new List<RunSample>());
        foreach (var rtt in settings.RttMs)
        {
            calibrations.Add(await ProxyCalibration.MeasureAsync(TimeSpan.FromMilliseconds(rtt), ct));
            for (var run = 0; run < settings.Runs; run++)
            {
                // The control touches no database, so RTT does not matter: once per run, during the first RTT's runs.
                if (rtt == settings.RttMs[0])
                {
                    controls.Add(await MeasureControlAsync(upstream.ConnectionString, ct));
                    stepDone($"control (no database), run {run + 1}/{settings.Runs}");
                }

                foreach (var (strategy, build) in settings.Strategies.SelectMany(s => settings.BuildList.Select(b => (s, b))))
                {
                    var label = settings.Label(strategy, build);
                    await using var proxy = NetworkProxy.Start(upstream.Host, upstream.Port, TimeSpan.FromMilliseconds(rtt));
                    var proxied = new NpgsqlConnectionStringBuilder(upstream.ConnectionString) { Host = "127.0.0.1", Port = proxy.EndPoint.Port };
                    samples[(label, rtt)].Add(await MeasureRunAsync(strategy, appDlls[build], proxied.ConnectionString, ct));
                    stepDone($"{label} @ {rtt} ms, run {run + 1}/{settings.Runs}");
                }
            }
        }

        var cells = samples.Select(kv => new CellResult(kv.Key.s, kv.Key.r, kv.Value)).ToList();
        return new Measurements(cells, calibrations, controls);
    }

    /// <summary>
    /// The app-side floor: a fresh process's first call of <c>/orders/no-db</c> (same binding, same JSON, no database),
    /// then its steady state. What remains of a first request when the database part is gone.
    /// </summary>
    private async Task<ControlSample> MeasureControlAsync(string unusedConnectionString, CancellationToken ct)
    {
        await using var app = SampleAppProcess.Start(appDlls[settings.BuildList[0]], "none", unusedConnectionString, settings.WarmConnections);
        using var client = NewClient();
        await app.WaitUntilAcceptingAsync(client, s_readyTimeout, ct);
        var first = (await TimeAsync(client, app, "/orders/no-db", ct)).Ms;
        return new ControlSample(first, await WarmP50Async(client, app, "/orders/no-db", ct));
    }

    /// <summary>Sequential steady-state requests; the first few are dropped so tier-up and pool settling do not count.</summary>
    private async Task<double> WarmP50Async(HttpClient client, SampleAppProcess app, string path, CancellationToken ct)
    {
        var warm = new List<double>(settings.WarmRequests);
        for (var i = 0; i < DiscardedWarmRequests + settings.WarmRequests; i++)
        {
            var ms = (await TimeAsync(client, app, path, ct)).Ms;
            if (i >= DiscardedWarmRequests)
            {
                warm.Add(ms);
            }
        }

        return Stats.Median(warm);
    }

    private async Task<RunSample> MeasureRunAsync(string strategy, string appDll, string proxiedConnectionString, CancellationToken ct)
    {
        double firstMs, startToFirstMs, warmP50, acceptingMs;
        IReadOnlyDictionary<string, double> firstServer;
        StartupReport? startup;
        DateTimeOffset startedAtUtc;
        await using (var app = SampleAppProcess.Start(appDll, strategy, proxiedConnectionString, settings.WarmConnections, settings.PrewarmStartup))
        {
            startedAtUtc = app.StartedAtUtc;
            using var client = NewClient();
            await app.WaitUntilAcceptingAsync(client, s_readyTimeout, ct);
            acceptingMs = Stopwatch.GetElapsedTime(app.StartedAt).TotalMilliseconds;
            var first = await TimeAsync(client, app, "/orders", ct);
            firstMs = first.Ms;
            firstServer = first.Server;
            startToFirstMs = Stopwatch.GetElapsedTime(app.StartedAt).TotalMilliseconds;

            warmP50 = await WarmP50Async(client, app, "/orders", ct);
            startup = await client.GetFromJsonAsync<StartupReport>(new Uri(app.BaseAddress, "/startup"), ct);
        }

        double[] burst;
        await using (var app = SampleAppProcess.Start(appDll, strategy, proxiedConnectionString, settings.WarmConnections, settings.PrewarmStartup))
        {
            using var client = NewClient();
            await app.WaitUntilAcceptingAsync(client, s_readyTimeout, ct);
            burst = (await Task.WhenAll(Enumerable.Range(0, settings.Burst).Select(_ => TimeAsync(client, app, "/orders", ct)))).Select(t => t.Ms).ToArray();
        }

        return new RunSample(
            firstMs, startToFirstMs, startup?.WarmupMs, warmP50, burst, startup?.OpenMs, startup?.WorkMs, firstServer,
            acceptingMs, SinceStart(startup?.FirstReadyAt), SinceStart(startup?.AllReadyAt));

        // The app's wall clock and the lab's are the same machine's.
        double? SinceStart(DateTimeOffset? at) => at is { } t ? (t - startedAtUtc).TotalMilliseconds : null;
    }

    private static async Task<Timed> TimeAsync(HttpClient client, SampleAppProcess app, string path, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(new Uri(app.BaseAddress, path), HttpCompletionOption.ResponseContentRead, ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new LabException($"{path} answered {(int)response.StatusCode}: {FirstLine(body)} (app: {app.LastLine()})");
        }

        return new Timed(elapsed, ParseServerTiming(response));
    }

    /// <summary>The app's own split of the request (<c>Server-Timing: gate;dur=…, open;dur=…, query;dur=…</c>).</summary>
    private static Dictionary<string, double> ParseServerTiming(HttpResponseMessage response)
    {
        var phases = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!response.Headers.TryGetValues("Server-Timing", out var values))
        {
            return phases;
        }

        foreach (var entry in values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)))
        {
            var parts = entry.Split(";dur=", 2);
            if (parts.Length == 2 && double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms))
            {
                phases[parts[0]] = ms;
            }
        }

        return phases;
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

    private sealed record Timed(double Ms, IReadOnlyDictionary<string, double> Server);

    /// <summary>The part of the sample app's <c>/startup</c> the lab reads.</summary>
    private sealed record StartupReport(double? WarmupMs, double? OpenMs, double? WorkMs, DateTimeOffset? FirstReadyAt, DateTimeOffset? AllReadyAt);
}
