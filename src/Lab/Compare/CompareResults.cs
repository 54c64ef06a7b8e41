using Prewarm.Lab.Proxy;

namespace Prewarm.Lab.Compare;

/// <summary>What the user asked <c>compare</c> for.</summary>
internal sealed record CompareSettings(
    IReadOnlyList<string> Strategies, IReadOnlyList<int> RttMs, int Runs, int Burst, int WarmRequests, int WarmConnections, string PrewarmStartup, string OutputDirectory);

/// <summary>One fresh start measured: the first request, then steady state; and on a second fresh start, the first burst.</summary>
internal sealed record RunSample(
    double FirstMs,
    double StartToFirstMs,
    double? WarmupMs,
    double WarmP50Ms,
    IReadOnlyList<double> BurstMs,
    double? WarmupOpenMs = null,
    double? WarmupWorkMs = null,
    IReadOnlyDictionary<string, double>? FirstServerPhases = null)
{
    /// <summary>What the server's phases do not cover: Kestrel, routing, binding, JSON, the response's trip back, the client.</summary>
    public double? FirstRestMs => FirstServerPhases is { Count: > 0 } p ? FirstMs - p.Values.Sum() : null;
}

/// <summary>The control: first and steady-state latency of the same endpoint shape without a database.</summary>
internal sealed record ControlSample(double FirstMs, double WarmP50Ms);

/// <summary>What the runner measured, before it is dressed as a report.</summary>
internal sealed record Measurements(IReadOnlyList<CellResult> Cells, IReadOnlyList<ProxyCalibration> Calibrations, IReadOnlyList<ControlSample> Controls);

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
    IReadOnlyList<ControlSample> Controls,
    string Database,
    string Machine,
    DateTimeOffset StartedAt,
    TimeSpan Elapsed)
{
    public CellResult? Cell(string strategy, int rttMs) =>
        Cells.FirstOrDefault(c => c.Strategy == strategy && c.RttMs == rttMs);
}
