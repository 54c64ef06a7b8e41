using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Npgsql;
using Prewarm.Functions.TestHost;
using Prewarm.Lab.Cli;
using Prewarm.Lab.Proxy;
using Prewarm.LocalPostgres.Network;
using Prewarm.LocalPostgres.Processes;

namespace Prewarm.Lab.Compare;

/// <summary>
/// <c>prewarm compare --app functions</c>: the Functions app (src/Functions) as its real isolated worker, started fresh
/// for every run under the test host that plays the Functions host (tests/Functions.TestHost), behind a fresh delay
/// proxy. Two variants: the app as shipped ("prewarm") and the same app with the library's warm-up turned off
/// ("none": <c>Prewarm:postgres:Enabled=false</c>, a data source and an open gate). The first HTTP invocation goes
/// out the moment the worker has answered WorkerInit and loaded its functions, as the host's first request would.
/// With <c>--app-cpus</c> the caller has pinned this whole process (the host's side) to the app's cores, and the
/// worker inherits them from its first instruction; the proxy's delaying threads go to the database's cores.
/// </summary>
internal sealed class FunctionsCompareRunner(CompareSettings settings, string connectionString, string appFolder)
{
    public static readonly string[] Strategies = ["none", "prewarm"];

    private const int DiscardedWarmRequests = 5;
    private const string Function = "GetOrders";
    private const string Route = "customers/1/orders";

    private readonly SortedSet<string> _workerCpus = new(StringComparer.Ordinal);

    public int TotalSteps => settings.RttMs.Count * settings.Strategies.Count * settings.Runs;

    public static string DefaultAppFolder() =>
        typeof(FunctionsCompareRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "FunctionsAppPath")?.Value ?? "Prewarm.Functions";

    public async Task<Measurements> RunAsync(Action<string> stepDone, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(appFolder, "worker.config.json")))
        {
            throw new LabException($"the Functions app is not built at {appFolder}: run `dotnet build src/Lab` (it builds the app too)");
        }

        var upstream = DatabaseTarget.Parse(connectionString);
        var calibrations = new List<ProxyCalibration>();
        var samples = settings.Strategies.SelectMany(s => settings.RttMs.Select(r => (s, r))).ToDictionary(k => k, _ => new List<RunSample>());
        foreach (var rtt in settings.RttMs)
        {
            calibrations.Add(await ProxyCalibration.MeasureAsync(TimeSpan.FromMilliseconds(rtt), ct, settings.CorePlan.DatabaseCpus));
            for (var run = 0; run < settings.Runs; run++)
            {
                // Interleaved inside a run, so a slow minute on a shared machine hits both variants.
                foreach (var strategy in settings.Strategies)
                {
                    await using var proxy = NetworkProxy.Start(upstream.Host!, upstream.Port, TimeSpan.FromMilliseconds(rtt), settings.CorePlan.DatabaseCpus);
                    var proxied = new NpgsqlConnectionStringBuilder(upstream.ConnectionString) { Host = "127.0.0.1", Port = proxy.EndPoint.Port };
                    samples[(strategy, rtt)].Add(await MeasureRunAsync(strategy, proxied.ConnectionString, ct));
                    stepDone($"functions {strategy} @ {rtt} ms, run {run + 1}/{settings.Runs}");
                }
            }
        }

        // The worker's ProcessorCount is not reported (the Functions app has no /startup); it follows the mask observed here.
        var pinning = new PinningObserved(
            _workerCpus.Count == 0 ? null : string.Join(" / ", _workerCpus), null, Database: null, CpuAffinity.AllowedList(Environment.ProcessId));
        return new Measurements(samples.Select(kv => new CellResult(kv.Key.s, kv.Key.r, kv.Value)).ToList(), calibrations, pinning);
    }

    private async Task<RunSample> MeasureRunAsync(string strategy, string proxiedConnectionString, CancellationToken ct)
    {
        double firstMs, startToFirstMs, warmP50;
        await using (var worker = await StartWorkerAsync(strategy, proxiedConnectionString, ct))
        {
            firstMs = await TimeAsync(worker, ct);
            if (CpuAffinity.AllowedList(worker.ProcessId) is { } cpus)
            {
                _workerCpus.Add(cpus);
            }

            startToFirstMs = Stopwatch.GetElapsedTime(worker.Timeline.Started).TotalMilliseconds;
            var warm = new List<double>(settings.WarmRequests);
            for (var i = 0; i < DiscardedWarmRequests + settings.WarmRequests; i++)
            {
                var ms = await TimeAsync(worker, ct);
                if (i >= DiscardedWarmRequests)
                {
                    warm.Add(ms);
                }
            }

            warmP50 = Stats.Median(warm);
        }

        double[] burst;
        await using (var worker = await StartWorkerAsync(strategy, proxiedConnectionString, ct))
        {
            burst = await Task.WhenAll(Enumerable.Range(0, settings.Burst).Select(_ => TimeAsync(worker, ct)));
        }

        double? afterReady = null;
        if (settings.AfterReadyMs > 0)
        {
            await using var worker = await StartWorkerAsync(strategy, proxiedConnectionString, ct);
            // The scenario (an always-ready instance left idle), not a synchronisation.
            await Task.Delay(settings.AfterReadyMs, ct);
            afterReady = await TimeAsync(worker, ct);
        }

        return new RunSample(firstMs, startToFirstMs, WarmupMs: null, warmP50, burst, AfterReadyFirstMs: afterReady);
    }

    private Task<FunctionsTestHost> StartWorkerAsync(string strategy, string proxiedConnectionString, CancellationToken ct)
    {
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = proxiedConnectionString,
            ["Prewarm:KeepAliveSchedule"] = "0 */2 * * * *",
            ["Prewarm:postgres:WarmConnections"] = settings.WarmConnections.ToString(CultureInfo.InvariantCulture),
        };
        if (strategy == "none")
        {
            values["Prewarm:postgres:Enabled"] = "false";
        }

        return FunctionsTestHost.StartAsync(new WorkerLaunch(appFolder, values), ct);
    }

    private static async Task<double> TimeAsync(FunctionsTestHost worker, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await worker.InvokeHttpAsync(Function, HttpMethod.Get, Route, cancellationToken: ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (response.Status != 200)
        {
            throw new LabException($"{Function} answered {response.Status}: {response.Body.Split('\n', 2)[0]} (worker: {worker.LastOutput})");
        }

        return elapsed;
    }
}
