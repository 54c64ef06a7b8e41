using System.Globalization;
using System.Text;
using Prewarm.Lab.Compare;

namespace Prewarm.Lab.Report;

/// <summary>Writes <c>report.md</c>: the table, the issue's targets checked against it, the proxy's own numbers, and how to read them.</summary>
internal static class MarkdownReport
{
    public const string FileName = "report.md";

    public static string Render(CompareResult result)
    {
        var s = result.Settings;
        var md = new StringBuilder();
        md.AppendLine("# prewarm compare").AppendLine();
        md.AppendLine(Inv($"- Command: `{result.CommandLine}`"));
        md.AppendLine(Inv($"- Started: {result.StartedAt:yyyy-MM-dd HH:mm} UTC, took {result.Elapsed.TotalMinutes:0.0} min"));
        md.AppendLine(Inv($"- Machine: {result.Machine}"));
        md.AppendLine(Inv($"- Database: {result.Database}, reached through the lab's delay proxy on 127.0.0.1"));
        md.AppendLine(Inv($"- Runs per cell: {s.Runs} (each run = {(s.AfterReadyMs > 0 ? 3 : 2)} fresh processes); burst K = {s.Burst}; steady state = {s.WarmRequests} sequential requests after 5 discarded; prewarm N = {s.WarmConnections}, prewarm StartupMode = {s.PrewarmStartup}"));
        md.AppendLine(Inv($"- Builds: {string.Join(", ", s.BuildList.Select(BuildName))}{(s.BuildList.Count > 1 ? Inv($"; cells of the second are marked +{s.BuildList[1]}") : "")}"));
        md.AppendLine(Inv($"- Cores: {s.CorePlan.Describe(functions: !s.Strategies.Contains("select1"))}"));
        if (result.Pinning is { } seen)
        {
            md.AppendLine(Inv($"- Pinning as the kernel saw it while the processes ran (Cpus_allowed_list; the lab's is its main thread's): {Observed(seen)}"));
        }

        md.AppendLine(s.AfterReadyMs > 0
            ? Inv($"- After ready: one more fresh process per run and strategy, first request {s.AfterReadyMs} ms after it accepted")
            : "- After ready: skipped (--after-ready 0)");
        md.AppendLine();

        md.AppendLine("## Results (milliseconds; medians over runs unless marked)").AppendLine();
        md.AppendLine("| added RTT | strategy | first | first p99 | warm p50 | first / warm p50 | burst p99 | burst p99 / warm p50 | start → first response | warm-up wall time |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var rtt in s.RttMs)
        {
            foreach (var strategy in s.Labels)
            {
                if (result.Cell(strategy, rtt) is not { } c)
                {
                    continue;
                }

                md.AppendLine(Inv(
                    $"| {rtt} ms | {strategy} | {c.FirstMedian:0.0} | {c.FirstP99:0.0} | {c.WarmP50:0.00} | **{c.FirstRatio:0.00}x** | {c.BurstP99:0.0} | **{c.BurstRatio:0.00}x** | {c.StartToFirstMedian:0} | {Ms(c.WarmupMedian)}{Split(c)} |"));
            }
        }

        md.AppendLine();
        AppendStartSplit(md, result);
        AppendFirstRequestSplit(md, result);
        ShareSections.AppendDatabaseShare(md, result);
        ShareSections.AppendAfterReady(md, result);
        TargetChecks.Append(md, result);
        AppendReadyToRun(md, result);
        AppendCalibration(md, result);
        md.AppendLine("## How to read this").AppendLine();
        md.AppendLine("- **first**: latency of the first `/orders` request, sent the moment the fresh app answered `/ping` (which touches no database). It includes any wait at the readiness gate.");
        md.AppendLine("- **warm p50**: median of the steady-state requests of the same process; the ratios divide by it.");
        md.AppendLine(Inv($"- **burst p99**: on a second fresh process, {s.Burst} concurrent first `/orders` requests; the nearest-rank p99 of each burst (its slowest request when K < 100), then the median over runs."));
        md.AppendLine("- **first p99**: nearest-rank p99 over the runs, i.e. the slowest run when there are fewer than 100.");
        md.AppendLine("- **start → first response**: from just before the process was started to the end of the first `/orders` response. Its split: *accepting* is when the app first answered `/ping` (its own start-up: host build, DI, Kestrel, JIT); *first ready* / *all ready* are when one, and all, warm connections sat idle in the pool (`prewarm`: the report's `FirstConnectionReady` / `AllConnectionsReady`; `select1`: its hook done), read from the app's clock against the moment the lab started it.");
        md.AppendLine("- **warm-up wall time**: `select1`: one cold open + `SELECT 1` before serving; `prewarm`: the coordinator's `LastReport.Duration` (N opens in parallel + the app's query on each); `none`: nothing.");
        md.AppendLine("- The added RTT is simulated by the lab's proxy (half each way, per chunk); the calibration table shows what it really added.");
        return md.ToString();
    }

    public static async Task WriteAsync(CompareResult result, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, FileName), Render(result), ct);
    }

    private static void AppendFirstRequestSplit(StringBuilder md, CompareResult result)
    {
        md.AppendLine("## Where the first request's time goes (medians over runs, ms)").AppendLine();
        md.AppendLine("The app times its own phases and sends them in a `Server-Timing` header; *rest* is the first request's latency minus those phases: Kestrel, routing, parameter binding, JSON, and the loopback trip to the lab.").AppendLine();
        md.AppendLine("| added RTT | strategy | first | gate wait | open | query | rest |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var c in Cells(result))
        {
            md.AppendLine(Inv($"| {c.RttMs} ms | {c.Strategy} | {c.FirstMedian:0.0} | {Ms(c.FirstPhaseMedian("gate"))} | {Ms(c.FirstPhaseMedian("open"))} | {Ms(c.FirstPhaseMedian("query"))} | {Ms(c.FirstRestMedian)} |"));
        }

        md.AppendLine();
    }

    private static void AppendStartSplit(StringBuilder md, CompareResult result)
    {
        md.AppendLine("## Process start → first response, split (medians over runs, ms since the lab started the process)").AppendLine();
        md.AppendLine("| added RTT | strategy | accepting | first connection ready | all ready | first response | vs the better of none/select1 |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var c in Cells(result))
        {
            var ratio = result.StartToFirstVsBest(c.Strategy, c.RttMs) is { } r ? Inv($"{r:0.00}x") : "–";
            md.AppendLine(Inv($"| {c.RttMs} ms | {c.Strategy} | {Ms(c.AcceptingMedian)} | {Ms(c.FirstReadyMedian)} | {Ms(c.AllReadyMedian)} | {c.StartToFirstMedian:0.0} | {ratio} |"));
        }

        md.AppendLine();
    }

    // Same run, builds interleaved: what a ReadyToRun publish gains per strategy.
    private static void AppendReadyToRun(StringBuilder md, CompareResult result)
    {
        var s = result.Settings;
        if (!s.BuildList.Contains(CompareSettings.Jit) || !s.BuildList.Contains(CompareSettings.ReadyToRun))
        {
            return;
        }

        md.AppendLine("## ReadyToRun against JIT (same run, interleaved; ms, medians)").AppendLine();
        md.AppendLine("| added RTT | strategy | start → first: jit | r2r | r2r / jit | accepting: jit | r2r | first request: jit | r2r |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var rtt in s.RttMs)
        {
            foreach (var strategy in s.Strategies)
            {
                if (result.Cell(s.Label(strategy, CompareSettings.Jit), rtt) is not { } jit || result.Cell(s.Label(strategy, CompareSettings.ReadyToRun), rtt) is not { } r2r)
                {
                    continue;
                }

                md.AppendLine(Inv(
                    $"| {rtt} ms | {strategy} | {jit.StartToFirstMedian:0.0} | {r2r.StartToFirstMedian:0.0} | **{r2r.StartToFirstMedian / jit.StartToFirstMedian:0.00}x** | {Ms(jit.AcceptingMedian)} | {Ms(r2r.AcceptingMedian)} | {jit.FirstMedian:0.0} | {r2r.FirstMedian:0.0} |"));
            }
        }

        md.AppendLine();
    }

    private static string Observed(PinningObserved seen)
    {
        var parts = new List<string> { Inv($"app {seen.App ?? "not seen"}") };
        if (seen.AppProcessorCount is { } count)
        {
            parts.Add(Inv($"the app's Environment.ProcessorCount {count}"));
        }

        parts.Add(Inv($"PostgreSQL backend {seen.Database ?? "not seen (external)"}"));
        parts.Add(Inv($"the lab {seen.Lab ?? "not seen"}"));
        if (seen.NoDbLoadedNpgsql is { } loaded)
        {
            parts.Add(loaded ? "`nodb` **loaded Npgsql**" : "`nodb` never loaded Npgsql");
        }

        return string.Join("; ", parts);
    }

    internal static IEnumerable<CellResult> Cells(CompareResult result) =>
        result.Settings.RttMs.SelectMany(r => result.Settings.Labels.Select(s => result.Cell(s, r))).OfType<CellResult>();

    private static string BuildName(string build) => build == CompareSettings.ReadyToRun ? "r2r (ReadyToRun publish)" : "jit (build output, IL)";

    private static void AppendCalibration(StringBuilder md, CompareResult result)
    {
        md.AppendLine("## Delay proxy calibration (1-byte ping-pong to a local echo server, medians of 50)").AppendLine();
        md.AppendLine("| configured RTT | direct | via proxy | added | overhead (added − configured) |");
        md.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (var c in result.Calibrations)
        {
            md.AppendLine(Inv(
                $"| {c.Configured.TotalMilliseconds:0} ms | {c.DirectRoundTrip.TotalMilliseconds:0.000} | {c.ProxiedRoundTrip.TotalMilliseconds:0.000} | {c.Added.TotalMilliseconds:0.000} | {c.Overhead.TotalMilliseconds:0.000} |"));
        }

        md.AppendLine();
    }

    // For prewarm: how the wall time divides between the N parallel opens and the warm-up work run on each.
    private static string Split(CellResult c) =>
        c.WarmupOpenMedian is { } open && c.WarmupWorkMedian is { } work ? Inv($" (open {open:0} + work {work:0})") : "";

    private static string Ms(double? value) => value is { } v ? Inv($"{v:0.0}") : "–";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
