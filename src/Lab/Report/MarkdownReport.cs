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
        md.AppendLine(Inv($"- Runs per cell: {s.Runs} (each run = 2 fresh processes); burst K = {s.Burst}; steady state = {s.WarmRequests} sequential requests after 5 discarded; prewarm N = {s.WarmConnections}, prewarm StartupMode = {s.PrewarmStartup}"));
        md.AppendLine(Inv($"- Builds: {string.Join(", ", s.BuildList.Select(BuildName))}{(s.BuildList.Count > 1 ? Inv($"; cells of the second are marked +{s.BuildList[1]}") : "")}"));
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
        AppendTargets(md, result);
        AppendReadyToRun(md, result);
        AppendControl(md, result);
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

    private static void AppendTargets(StringBuilder md, CompareResult result)
    {
        var s = result.Settings;
        var block = s.PrewarmStartup == "BlockUntilWarm";
        md.AppendLine("## Targets for `prewarm` (issue 12)").AppendLine();
        md.AppendLine(Inv($"Start → first response is judged in the mode this run used ({s.PrewarmStartup}); the after-warm-up targets assume the platform routes traffic only once warm, so they are judged with `--prewarm-startup block`.")).AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---:|---|");
        Ratio(md, "start → first response ≤ 0.95x the better of `none` and `select1` at 2 ms", result.StartToFirstVsBest("prewarm", 2), 0.95);
        Ratio(md, "start → first response ≤ 0.95x the better of `none` and `select1` at 20 ms", result.StartToFirstVsBest("prewarm", 20), 0.95);
        Ratio(md, "stretch: start → first response ≤ 0.85x the better at 20 ms", result.StartToFirstVsBest("prewarm", 20), 0.85);
        var mode = block ? "" : " (block mode only)";
        Ratio(md, "first request ≤ 1.1x warm p50 at 20 ms" + mode, result.Cell("prewarm", 20)?.FirstRatio, 1.1, judged: block);
        Ratio(md, "first request ≤ 1.5x warm p50 at 2 ms" + mode, result.Cell("prewarm", 2)?.FirstRatio, 1.5, judged: block);
        var burstLabel = s.Burst == 8 ? "burst of 8: p99 ≤ 1.5x warm p50 at 20 ms" : Inv($"burst p99 ≤ 1.5x warm p50 at 20 ms (K = {s.Burst}, the target is for K = 8)");
        Ratio(md, burstLabel + mode, result.Cell("prewarm", 20)?.BurstRatio, 1.5, judged: block);
        md.AppendLine();

        foreach (var (rtt, bound) in new[] { (2, 0.95), (20, 0.95) })
        {
            if (result.StartToFirstVsBest("prewarm", rtt) is { } ratio && ratio > bound && HeldBy(result, rtt) is { } why)
            {
                md.AppendLine(Inv($"- Missed at {rtt} ms ({ratio:0.00}x): {why}"));
            }
        }

        if (result.Controls.Count > 0)
        {
            // Information, not a verdict: the target is judged on the raw ratio above.
            var floor = Stats.Median(result.Controls.Select(c => c.FirstMs - c.WarmP50Ms).ToArray());
            var withoutFloor = result.Cells.Where(c => c.Strategy == "prewarm").OrderBy(c => c.RttMs)
                .Select(c => Inv($"{(c.FirstMedian - floor) / c.WarmP50:0.00}x at {c.RttMs} ms"));
            md.AppendLine(Inv($"- The app-side floor (control below: first − warm p50 of `/orders/no-db`) is {floor:0.0} ms. Without it, `prewarm`'s first request / warm p50 would be {string.Join(", ", withoutFloor)}."));
        }

        md.AppendLine();
    }

    // Which phase holds a missed start → first target: of the app's start-up (to accepting) and the first request's
    // server-side phases, the one where prewarm spends the most over the better baseline.
    private static string? HeldBy(CompareResult result, int rtt)
    {
        if (result.Cell("prewarm", rtt) is not { } p || result.BestBaseline("prewarm", rtt) is not { } b)
        {
            return null;
        }

        var phases = new (string Name, double? Prewarm, double? Baseline)[]
        {
            ("the app's own start-up (process start → accepting)", p.AcceptingMedian, b.AcceptingMedian),
            ("the gate wait", p.FirstPhaseMedian("gate"), b.FirstPhaseMedian("gate") ?? 0),
            ("the first request's open", p.FirstPhaseMedian("open"), b.FirstPhaseMedian("open")),
            ("the first request's query", p.FirstPhaseMedian("query"), b.FirstPhaseMedian("query")),
            ("the rest of the first request (Kestrel, binding, JSON)", p.FirstRestMedian, b.FirstRestMedian),
        };
        var known = phases.Where(x => x.Prewarm is not null && x.Baseline is not null).ToList();
        if (known.Count == 0)
        {
            // The Functions app sends no Server-Timing and has no /ping: only the report's own numbers are there.
            return Inv($"no phase split in this run (the app sends no Server-Timing): start → first {p.StartToFirstMedian:0} ms against {b.StartToFirstMedian:0} ms for `{b.Strategy}`.");
        }

        var worst = known.MaxBy(x => x.Prewarm!.Value - x.Baseline!.Value);

        var ready = p.FirstReadyMedian is { } first ? Inv($"; the first warm connection was ready {first:0} ms after process start") : "";
        return Inv($"held by {worst.Name}: {worst.Prewarm:0.0} ms against {worst.Baseline:0.0} ms for `{b.Strategy}`{ready}, the app accepted at {p.AcceptingMedian:0} ms.");
    }

    private static void Ratio(StringBuilder md, string target, double? measured, double bound, bool judged = true)
    {
        var text = measured is { } m && !double.IsNaN(m) ? Inv($"{m:0.00}x") : "not measured";
        var met = measured is { } v && !double.IsNaN(v) && judged ? (v <= bound ? "yes" : "**no**") : "–";
        md.AppendLine(Inv($"| {target} | {text} | {met} |"));
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

    private static IEnumerable<CellResult> Cells(CompareResult result) =>
        result.Settings.RttMs.SelectMany(r => result.Settings.Labels.Select(s => result.Cell(s, r))).OfType<CellResult>();

    private static string BuildName(string build) => build == CompareSettings.ReadyToRun ? "r2r (ReadyToRun publish)" : "jit (build output, IL)";

    private static void AppendControl(StringBuilder md, CompareResult result)
    {
        if (result.Controls.Count == 0)
        {
            return;
        }

        var first = Stats.Median(result.Controls.Select(c => c.FirstMs).ToArray());
        var warm = Stats.Median(result.Controls.Select(c => c.WarmP50Ms).ToArray());
        md.AppendLine("## Control: the same endpoint without a database").AppendLine();
        md.AppendLine("`/orders/no-db` binds the same parameters and serialises the same 20 orders from memory. Its first call on a fresh process is the app-side floor (JIT of the handler, binding, JSON): the part of a first request no database warm-up can remove.").AppendLine();
        md.AppendLine("| first | first p99 | warm p50 | first / warm p50 |");
        md.AppendLine("|---:|---:|---:|---:|");
        md.AppendLine(Inv($"| {first:0.0} | {Stats.Percentile(result.Controls.Select(c => c.FirstMs).ToArray(), 99):0.0} | {warm:0.00} | {first / warm:0.00}x |"));
        md.AppendLine();
    }

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
