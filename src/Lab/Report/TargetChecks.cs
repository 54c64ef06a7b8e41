using System.Globalization;
using System.Text;
using Prewarm.Lab.Compare;

namespace Prewarm.Lab.Report;

/// <summary>
/// Issue 20's targets for <c>prewarm</c>, judged on the cores this run gave the app: one core (Azure's default) or
/// two; start → first response in the default mode (first request at accept); after ready; the Functions app on one
/// core. A missed start → first target names the phase where prewarm spends the most over the better baseline.
/// </summary>
internal static class TargetChecks
{
    public static void Append(StringBuilder md, CompareResult result)
    {
        var s = result.Settings;
        var cores = s.CorePlan.AppCoreCount;
        var shared = s.CorePlan.AppCpus is null ? " (not pinned: the app shares its cores with the database)" : "";
        var judged = s.PrewarmStartup != "BlockUntilWarm";
        var mode = judged ? "" : " (default mode only)";
        var functions = !s.Strategies.Contains("select1");
        md.AppendLine("## Targets for `prewarm` (issue 20)").AppendLine();
        md.AppendLine(Inv($"The app had {cores} core(s){shared}; start → first response is judged in the default mode (first request the moment the app accepts), this run used {s.PrewarmStartup}.")).AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---:|---|");
        var misses = new List<(int Rtt, double Ratio)>();
        void StartToFirst(string target, int rtt, double? measured, double bound, bool judge)
        {
            Row(md, target + mode, measured, bound, judge && judged);
            if (judge && judged && measured > bound && !misses.Any(m => m.Rtt == rtt))
            {
                misses.Add((rtt, measured.Value));
            }
        }

        if (functions)
        {
            foreach (var rtt in s.RttMs)
            {
                StartToFirst(Inv($"Functions, one core: start → first response ≤ 1.00x `none` at {rtt} ms"), rtt, VsNone(result, rtt), 1.00, cores == 1);
            }
        }
        else if (cores == 1)
        {
            foreach (var rtt in s.RttMs)
            {
                var bound = rtt >= 20 ? 0.95 : 1.00;
                StartToFirst(Inv($"one core: start → first response ≤ {bound:0.00}x the better of `none` and `select1` at {rtt} ms{shared}"), rtt, result.StartToFirstVsBest("prewarm", rtt), bound, rtt is 0 or 2 or 20);
            }

            foreach (var rtt in s.RttMs)
            {
                Row(md, Inv($"stretch, one core: start → first response ≤ 0.90x the better at {rtt} ms{mode}"), result.StartToFirstVsBest("prewarm", rtt), 0.90, judged);
            }
        }
        else if (cores == 2)
        {
            foreach (var rtt in s.RttMs.Where(r => r is 2 or 20))
            {
                StartToFirst(Inv($"two cores: start → first response ≤ 0.95x the better of `none` and `select1` at {rtt} ms{shared}"), rtt, result.StartToFirstVsBest("prewarm", rtt), 0.95, true);
            }

            Row(md, Inv($"two cores: share of the database's cold-start cost removed ≥ 0.35 at 2 ms{shared}{mode}"), result.ShareRemoved("prewarm", 2), 0.35, judged, atLeast: true);
        }
        else
        {
            md.AppendLine(Inv($"| start → first response: targets are set for one or two app cores, not {cores} | – | – |"));
        }

        foreach (var rtt in s.AfterReadyMs > 0 ? s.RttMs : [])
        {
            Row(md, Inv($"after ready ({s.AfterReadyMs} ms idle): first request ≤ 1.2x warm p50 at {rtt} ms"), result.Cell("prewarm", rtt)?.AfterReadyRatio, 1.2, true);
        }

        md.AppendLine();
        foreach (var (rtt, ratio) in misses)
        {
            if (HeldBy(result, rtt, functions) is { } why)
            {
                md.AppendLine(Inv($"- Missed at {rtt} ms ({ratio:0.00}x): {why}"));
            }
        }

        var floors = result.Cells.Where(c => c.Strategy == CompareResult.NoDb).Select(c => c.FirstMedian - c.WarmP50).ToArray();
        if (floors.Length > 0)
        {
            // Information, not a verdict: what a first request costs with no database at all.
            md.AppendLine(Inv($"- The app-side floor (`nodb`'s first request − its warm p50) is {Stats.Median(floors):0.0} ms: the part of a first request no database warm-up can remove."));
        }

        md.AppendLine();
    }

    private static double? VsNone(CompareResult result, int rtt) =>
        result.Cell("prewarm", rtt) is { } p && result.Cell("none", rtt) is { } n ? p.StartToFirstMedian / n.StartToFirstMedian : null;

    // Which phase holds a missed start → first target: of the app's start-up (to accepting) and the first request's
    // server-side phases, the one where prewarm spends the most over the better baseline.
    private static string? HeldBy(CompareResult result, int rtt, bool functions)
    {
        if (result.Cell("prewarm", rtt) is not { } p || (functions ? result.Cell("none", rtt) : result.BestBaseline("prewarm", rtt)) is not { } b)
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

    private static void Row(StringBuilder md, string target, double? measured, double bound, bool judged, bool atLeast = false)
    {
        var known = measured is { } m && double.IsFinite(m);
        var text = !known ? "not measured" : atLeast ? Inv($"{measured:0.00}") : Inv($"{measured:0.00}x");
        var met = known && judged ? ((atLeast ? measured >= bound : measured <= bound) ? "yes" : "**no**") : "–";
        md.AppendLine(Inv($"| {target} | {text} | {met} |"));
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
