using System.Globalization;
using System.Text;
using Prewarm.Lab.Compare;

namespace Prewarm.Lab.Report;

/// <summary>The report's sections on what the database costs a cold start (against <c>nodb</c>) and on the after-ready first request.</summary>
internal static class ShareSections
{
    public static void AppendDatabaseShare(StringBuilder md, CompareResult result)
    {
        if (!result.Cells.Any(c => c.Strategy.Split('+')[0] == CompareResult.NoDb))
        {
            return;
        }

        md.AppendLine("## The database's share of a cold start (medians, ms)").AppendLine();
        md.AppendLine("`nodb` is the same app and endpoint answering the same bytes from memory, never loading Npgsql. The database's share is `none`'s start → first response minus `nodb`'s; a strategy's *share removed* is (none − strategy) / (none − nodb): 1 removes all of it, 0 nothing, below 0 it adds.").AppendLine();
        md.AppendLine("| added RTT | strategy | start → first response | database share (none − nodb) | share removed |");
        md.AppendLine("|---:|---|---:|---:|---:|");
        foreach (var c in MarkdownReport.Cells(result))
        {
            var share = result.DatabaseShare(c.Strategy, c.RttMs) is { } d ? Inv($"{d:0.0}") : "–";
            var removed = result.ShareRemoved(c.Strategy, c.RttMs) is { } r ? Inv($"**{r:0.00}**") : "–";
            md.AppendLine(Inv($"| {c.RttMs} ms | {c.Strategy} | {c.StartToFirstMedian:0.0} | {share} | {removed} |"));
        }

        md.AppendLine();
    }

    public static void AppendAfterReady(StringBuilder md, CompareResult result)
    {
        if (result.Settings.AfterReadyMs == 0)
        {
            return;
        }

        md.AppendLine(Inv($"## After ready: the first request {result.Settings.AfterReadyMs} ms after the app accepted (medians, ms)")).AppendLine();
        md.AppendLine("An always-ready or pre-warmed instance: the platform starts it, and traffic comes later. A fresh process per run, left idle after it accepted; its first request against the warm p50 of the main run's process.").AppendLine();
        md.AppendLine("| added RTT | strategy | first after ready | warm p50 | first after ready / warm p50 |");
        md.AppendLine("|---:|---|---:|---:|---:|");
        foreach (var c in MarkdownReport.Cells(result))
        {
            var ratio = c.AfterReadyRatio is { } r ? Inv($"**{r:0.00}x**") : "–";
            md.AppendLine(Inv($"| {c.RttMs} ms | {c.Strategy} | {(c.AfterReadyMedian is { } a ? Inv($"{a:0.0}") : "–")} | {c.WarmP50:0.00} | {ratio} |"));
        }

        md.AppendLine();
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
