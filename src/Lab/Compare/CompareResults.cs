using Prewarm.Lab.Proxy;

namespace Prewarm.Lab.Compare;

/// <summary>What the user asked <c>compare</c> for.</summary>
internal sealed record CompareSettings(
    IReadOnlyList<string> Strategies,
    IReadOnlyList<int> RttMs,
    int Runs,
    int Burst,
    int WarmRequests,
    int WarmConnections,
    string PrewarmStartup,
    string OutputDirectory,
    IReadOnlyList<string>? Builds = null,
    CorePlan? Cores = null,
    int AfterReadyMs = 0)
{
    public const string Jit = "jit";
    public const string ReadyToRun = "r2r";

    /// <summary>The builds measured, interleaved in every run; the targets are judged on the first.</summary>
    public IReadOnlyList<string> BuildList => Builds is { Count: > 0 } builds ? builds : [Jit];

    /// <summary>Every cell's name: the strategy alone for the first build, <c>strategy+build</c> for the others.</summary>
    public IReadOnlyList<string> Labels => [.. BuildList.SelectMany(b => Strategies.Select(s => Label(s, b)))];

    public string Label(string strategy, string build) => build == BuildList[0] ? strategy : $"{strategy}+{build}";

    /// <summary>Where things ran; unpinned when not said (reports built by hand).</summary>
    public CorePlan CorePlan => Cores ?? CorePlan.Unpinned([]);
}

/// <summary>One fresh start measured: the first request, then steady state; and on a second fresh start, the first burst.</summary>
internal sealed record RunSample(
    double FirstMs,
    double StartToFirstMs,
    double? WarmupMs,
    double WarmP50Ms,
    IReadOnlyList<double> BurstMs,
    double? WarmupOpenMs = null,
    double? WarmupWorkMs = null,
    IReadOnlyDictionary<string, double>? FirstServerPhases = null,
    double? AcceptingMs = null,
    double? FirstReadyMs = null,
    double? AllReadyMs = null,
    double? AfterReadyFirstMs = null)
{
    /// <summary>What the server's phases do not cover: Kestrel, routing, binding, JSON, the response's trip back, the client.</summary>
    public double? FirstRestMs => FirstServerPhases is { Count: > 0 } p ? FirstMs - p.Values.Sum() : null;
}

/// <summary>What the kernel said the processes could run on, read while they ran (/proc/PID/status); null where not seen.</summary>
internal sealed record PinningObserved(string? App, int? AppProcessorCount, string? Database, string? Lab, bool? NoDbLoadedNpgsql = null);

/// <summary>What the runner measured, before it is dressed as a report.</summary>
internal sealed record Measurements(IReadOnlyList<CellResult> Cells, IReadOnlyList<ProxyCalibration> Calibrations, PinningObserved? Pinning = null);

/// <summary>All runs of one strategy at one added RTT, summarised the way the report prints them.</summary>
internal sealed record CellResult(string Strategy, int RttMs, IReadOnlyList<RunSample> Runs)
{
    public double FirstMedian => Stats.Median(Runs.Select(r => r.FirstMs).ToArray());

    public double FirstP99 => Stats.Percentile(Runs.Select(r => r.FirstMs).ToArray(), 99);

    public double WarmP50 => Stats.Median(Runs.Select(r => r.WarmP50Ms).ToArray());

    /// <summary>The p99 of each run's burst, then the median over runs (with K = 8 a burst's p99 is its slowest request).</summary>
    public double BurstP99 => Stats.Median(Runs.Select(r => Stats.Percentile(r.BurstMs.ToArray(), 99)).ToArray());

    public double StartToFirstMedian => Stats.Median(Runs.Select(r => r.StartToFirstMs).ToArray());

    public double? WarmupMedian => MedianOf(r => r.WarmupMs);

    public double? WarmupOpenMedian => MedianOf(r => r.WarmupOpenMs);

    public double? WarmupWorkMedian => MedianOf(r => r.WarmupWorkMs);

    public double FirstRatio => FirstMedian / WarmP50;

    public double BurstRatio => BurstP99 / WarmP50;

    /// <summary>Median over runs of one server-side phase of the first request (gate, open, query).</summary>
    public double? FirstPhaseMedian(string phase) =>
        MedianOf(r => r.FirstServerPhases is { } p && p.TryGetValue(phase, out var ms) ? ms : null);

    public double? FirstRestMedian => MedianOf(r => r.FirstRestMs);

    /// <summary>From process start to the app's first answer to <c>/ping</c> (no database): the app's own start-up.</summary>
    public double? AcceptingMedian => MedianOf(r => r.AcceptingMs);

    /// <summary>From process start to the first warm connection idle in the pool (select1: its hook done).</summary>
    public double? FirstReadyMedian => MedianOf(r => r.FirstReadyMs);

    public double? AllReadyMedian => MedianOf(r => r.AllReadyMs);

    /// <summary>The first request of a process left idle a fixed time after it accepted (<c>--after-ready</c>).</summary>
    public double? AfterReadyMedian => MedianOf(r => r.AfterReadyFirstMs);

    public double? AfterReadyRatio => AfterReadyMedian / WarmP50;

    private double? MedianOf(Func<RunSample, double?> value)
    {
        var values = Runs.Select(value).OfType<double>().ToArray();
        return values.Length == 0 ? null : Stats.Median(values);
    }
}

/// <summary>Everything one <c>compare</c> produced; the report and the chart are written from this alone.</summary>
internal sealed record CompareResult(
    string CommandLine,
    CompareSettings Settings,
    IReadOnlyList<CellResult> Cells,
    IReadOnlyList<ProxyCalibration> Calibrations,
    string Database,
    string Machine,
    DateTimeOffset StartedAt,
    TimeSpan Elapsed,
    PinningObserved? Pinning = null)
{
    public const string NoDb = "nodb";
    public static readonly string[] Baselines = ["none", "select1"];

    public CellResult? Cell(string strategy, int rttMs) =>
        Cells.FirstOrDefault(c => c.Strategy == strategy && c.RttMs == rttMs);

    /// <summary>The better (lower) start → first response of the baselines of the same build as <paramref name="label"/>.</summary>
    public CellResult? BestBaseline(string label, int rttMs) =>
        Baselines.Select(b => Cell(b + BuildSuffix(label), rttMs)).OfType<CellResult>().MinBy(c => c.StartToFirstMedian);

    /// <summary>The database's share of a cold start: <c>none</c>'s start → first response minus <c>nodb</c>'s, same build and RTT.</summary>
    public double? DatabaseShare(string label, int rttMs) =>
        Cell("none" + BuildSuffix(label), rttMs) is { } none && Cell(NoDb + BuildSuffix(label), rttMs) is { } nodb
            ? none.StartToFirstMedian - nodb.StartToFirstMedian
            : null;

    /// <summary>
    /// The part of the database's share a strategy removes: (none − strategy) / (none − nodb); 1 is all of it, 0 none,
    /// below 0 it adds. Null without both ends, or when the share is not positive (no database cost to remove).
    /// </summary>
    public double? ShareRemoved(string label, int rttMs) =>
        DatabaseShare(label, rttMs) is > 0 and var share && Cell("none" + BuildSuffix(label), rttMs) is { } none && Cell(label, rttMs) is { } cell
            ? (none.StartToFirstMedian - cell.StartToFirstMedian) / share
            : null;

    /// <summary>Start → first response over the better baseline's, same build and RTT; null without a baseline.</summary>
    public double? StartToFirstVsBest(string label, int rttMs) =>
        Cell(label, rttMs) is { } cell && BestBaseline(label, rttMs) is { } best ? cell.StartToFirstMedian / best.StartToFirstMedian : null;

    // "+r2r" for a second build's label, "" for the first's.
    private static string BuildSuffix(string label) => label.IndexOf('+', StringComparison.Ordinal) is var plus and >= 0 ? label[plus..] : "";
}
