using System.Globalization;
using Prewarm.Lab.Compare;
using Spectre.Console;

namespace Prewarm.Lab.Report;

/// <summary>The table <c>compare</c> prints when it is done: the report's main numbers, one row per strategy and RTT.</summary>
internal static class ConsoleTable
{
    public static Table Render(CompareResult result)
    {
        var table = new Table().Title(Markup.Escape($"medians over runs, ms; --app-cpus {result.Settings.CorePlan.Setting}"));
        foreach (var column in new[] { "RTT", "strategy", "first", "warm p50", "first/warm", "burst p99", "burst/warm", "start→first", "vs best", "DB share removed", "after-ready/warm", "warm-up" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var c in result.Settings.RttMs.SelectMany(r => result.Settings.Labels.Select(s => result.Cell(s, r))).OfType<CellResult>())
        {
            table.AddRow(
                Inv($"{c.RttMs} ms"), Markup.Escape(c.Strategy), Inv($"{c.FirstMedian:0.0}"), Inv($"{c.WarmP50:0.00}"), Inv($"{c.FirstRatio:0.00}x"),
                Inv($"{c.BurstP99:0.0}"), Inv($"{c.BurstRatio:0.00}x"), Inv($"{c.StartToFirstMedian:0}"), Ratio(result.StartToFirstVsBest(c.Strategy, c.RttMs)),
                result.ShareRemoved(c.Strategy, c.RttMs) is { } removed ? Inv($"{removed:0.00}") : "–", Ratio(c.AfterReadyRatio),
                c.WarmupMedian is { } w ? Inv($"{w:0.0}") : "–");
        }

        return table;
    }

    private static string Ratio(double? value) => value is { } v && double.IsFinite(v) ? Inv($"{v:0.00}x") : "–";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
