using System.Diagnostics;
using System.Net.Http.Json;
using Npgsql;
using Prewarm.Lab.Cli;
using Prewarm.Lab.Proxy;
using Prewarm.LocalPostgres.Network;
using Prewarm.LocalPostgres.Processes;
using static Prewarm.Lab.Compare.AppRequests;

namespace Prewarm.Lab.Compare;

/// <summary>
/// Runs the matrix: for each added RTT, each run, each build, each strategy, fresh processes of the sample app
/// behind a fresh delay proxy: one for the first request and the steady state, one for the first burst, and (with
/// <c>--after-ready</c>) one whose first request waits a fixed time after it accepts. Builds and strategies are
/// interleaved inside a run so a slow minute on a shared machine hits all of them. <c>appDlls</c> holds the sample
/// app's dll for each build in <see cref="CompareSettings.BuildList"/>.
/// </summary>
internal sealed class CompareRunner(CompareSettings settings, string connectionString, IReadOnlyDictionary<string, string> appDlls)
{
    private const int DiscardedWarmRequests = 5;
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);

    private readonly SortedSet<string> _appCpus = new(StringComparer.Ordinal);
    private readonly SortedSet<int> _appProcessorCounts = [];
    private bool? _noDbLoadedNpgsql;

    public int TotalSteps => settings.RttMs.Count * settings.Labels.Count * settings.Runs;

    public async Task<Measurements> RunAsync(Action<string> stepDone, CancellationToken ct)
    {
        var upstream = DatabaseTarget.Parse(connectionString);
        if (upstream.Host!.Contains(',', StringComparison.Ordinal))
        {
            throw new LabException("compare needs a single Host in the connection string (the proxy stands in front of one server)");
        }

        var proxyCpus = settings.CorePlan.DatabaseCpus;
        var calibrations = new List<ProxyCalibration>();
        var samples = settings.Labels.SelectMany(s => settings.RttMs.Select(r => (s, r))).ToDictionary(k => k, _ => new List<RunSample>());
        foreach (var rtt in settings.RttMs)
        {
            calibrations.Add(await ProxyCalibration.MeasureAsync(TimeSpan.FromMilliseconds(rtt), ct, proxyCpus));
            for (var run = 0; run < settings.Runs; run++)
            {
                foreach (var (strategy, build) in settings.Strategies.SelectMany(s => settings.BuildList.Select(b => (s, b))))
                {
                    var label = settings.Label(strategy, build);
                    // nodb never opens a connection; it gets a proxy all the same, so every strategy starts alike.
                    await using var proxy = NetworkProxy.Start(upstream.Host, upstream.Port, TimeSpan.FromMilliseconds(rtt), proxyCpus);
                    var proxied = new NpgsqlConnectionStringBuilder(upstream.ConnectionString) { Host = "127.0.0.1", Port = proxy.EndPoint.Port };
                    samples[(label, rtt)].Add(await MeasureRunAsync(strategy, appDlls[build], proxied.ConnectionString, ct));
                    stepDone($"{label} @ {rtt} ms, run {run + 1}/{settings.Runs}");
                }
            }
        }

        var cells = samples.Select(kv => new CellResult(kv.Key.s, kv.Key.r, kv.Value)).ToList();
        var pinning = new PinningObserved(
            _appCpus.Count == 0 ? null : string.Join(" / ", _appCpus),
            _appProcessorCounts.Count == 1 ? _appProcessorCounts.Min : null,
            Database: null,
            CpuAffinity.AllowedList(Environment.ProcessId),
            _noDbLoadedNpgsql);
        return new Measurements(cells, calibrations, pinning);
    }

    private SampleAppProcess Start(string appDll, string strategy, string proxiedConnectionString) =>
        SampleAppProcess.Start(appDll, strategy, proxiedConnectionString, settings.WarmConnections, settings.PrewarmStartup, cpus: settings.CorePlan.AppCpus);

    /// <summary>Sequential steady-state requests; the first few are dropped so tier-up and pool settling do not count.</summary>
    private async Task<double> WarmP50Async(HttpClient client, SampleAppProcess app, CancellationToken ct)
    {
        var warm = new List<double>(settings.WarmRequests);
        for (var i = 0; i < DiscardedWarmRequests + settings.WarmRequests; i++)
        {
            var ms = (await TimeAsync(client, app, "/orders", ct)).Ms;
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
        await using (var app = Start(appDll, strategy, proxiedConnectionString))
        {
            startedAtUtc = app.StartedAtUtc;
            using var client = NewClient();
            await app.WaitUntilAcceptingAsync(client, s_readyTimeout, ct);
            acceptingMs = Stopwatch.GetElapsedTime(app.StartedAt).TotalMilliseconds;
            var first = await TimeAsync(client, app, "/orders", ct);
            firstMs = first.Ms;
            firstServer = first.Server;
            startToFirstMs = Stopwatch.GetElapsedTime(app.StartedAt).TotalMilliseconds;

            warmP50 = await WarmP50Async(client, app, ct);
            startup = await client.GetFromJsonAsync<StartupReport>(new Uri(app.BaseAddress, "/startup"), ct);
            Observe(strategy, app, startup);
        }

        double[] burst;
        await using (var app = Start(appDll, strategy, proxiedConnectionString))
        {
            using var client = NewClient();
            await app.WaitUntilAcceptingAsync(client, s_readyTimeout, ct);
            burst = (await Task.WhenAll(Enumerable.Range(0, settings.Burst).Select(_ => TimeAsync(client, app, "/orders", ct)))).Select(t => t.Ms).ToArray();
        }

        return new RunSample(
            firstMs, startToFirstMs, startup?.WarmupMs, warmP50, burst, startup?.OpenMs, startup?.WorkMs, firstServer,
            acceptingMs, SinceStart(startup?.FirstReadyAt), SinceStart(startup?.AllReadyAt), await AfterReadyAsync(strategy, appDll, proxiedConnectionString, ct));

        // The app's wall clock and the lab's are the same machine's.
        double? SinceStart(DateTimeOffset? at) => at is { } t ? (t - startedAtUtc).TotalMilliseconds : null;
    }

    /// <summary>
    /// An always-ready or pre-warmed instance: the first request comes a fixed time after the app accepts. The wait is
    /// the scenario itself (what the platform does), not a synchronisation. Null when <c>--after-ready 0</c>.
    /// </summary>
    private async Task<double?> AfterReadyAsync(string strategy, string appDll, string proxiedConnectionString, CancellationToken ct)
    {
        if (settings.AfterReadyMs == 0)
        {
            return null;
        }

        await using var app = Start(appDll, strategy, proxiedConnectionString);
        using var client = NewClient();
        await app.WaitUntilAcceptingAsync(client, s_readyTimeout, ct);
        await Task.Delay(settings.AfterReadyMs, ct);
        return (await TimeAsync(client, app, "/orders", ct)).Ms;
    }

    // Read while the app runs: the kernel's view of its cores, and the runtime's (ProcessorCount follows the mask).
    private void Observe(string strategy, SampleAppProcess app, StartupReport? startup)
    {
        if (CpuAffinity.AllowedList(app.ProcessId) is { } cpus)
        {
            _appCpus.Add(cpus);
        }

        if (startup is not null)
        {
            _appProcessorCounts.Add(startup.ProcessorCount);
            if (strategy == CompareResult.NoDb)
            {
                _noDbLoadedNpgsql = (_noDbLoadedNpgsql ?? false) || startup.NpgsqlLoaded;
            }
        }
    }

    /// <summary>The part of the sample app's <c>/startup</c> the lab reads.</summary>
    private sealed record StartupReport(
        double? WarmupMs, double? OpenMs, double? WorkMs, DateTimeOffset? FirstReadyAt, DateTimeOffset? AllReadyAt, int ProcessorCount, bool NpgsqlLoaded);
}
