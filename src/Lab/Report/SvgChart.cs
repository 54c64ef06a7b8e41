using System.Globalization;
using System.Security;
using System.Text;
using Prewarm.Lab.Compare;

namespace Prewarm.Lab.Report;

/// <summary>
/// Writes <c>chart.svg</c> by hand (no charting package): three panels grouped by added RTT, one bar per strategy.
/// First/warm-p50 and burst-p99/warm-p50 on a log scale, because the baselines sit 10-100x above prewarm; then
/// process start → first response over the better of none and select1, on a linear scale with the targets as lines.
/// </summary>
internal static class SvgChart
{
    public const string FileName = "chart.svg";

    private const double PanelWidth = 440;
    private const double Height = 400;
    private const double Left = 56;
    private const double Right = 16;
    private const double Top = 64;
    private const double Bottom = 48;

    private static readonly Dictionary<string, string> s_colors = new(StringComparer.Ordinal)
    {
        ["none"] = "#d62728",
        ["select1"] = "#ff7f0e",
        ["prewarm"] = "#2ca02c",
        ["nodb"] = "#7f7f7f",
    };

    public static string Render(CompareResult result)
    {
        var s = result.Settings;
        var width = PanelWidth * 3;
        var svg = new StringBuilder();
        svg.AppendLine(Inv($"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{Height}" viewBox="0 0 {width} {Height}" font-family="sans-serif" font-size="12">"""));
        svg.AppendLine(Inv($"""<rect width="{width}" height="{Height}" fill="white"/>"""));
        svg.AppendLine(Inv($"""<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">Cold start cost relative to warm p50 (log scale; lower is better, 1x = warm); {Escape(result.Settings.CorePlan.AppCpus is null ? "cores not pinned" : $"app pinned to {result.Settings.CorePlan.AppCoreCount} core(s)")}</text>"""));
        AppendLegend(svg, s.Labels, width);

        var maxRatio = result.Cells.SelectMany(c => new[] { c.FirstRatio, c.BurstRatio }).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        var decades = Math.Max(1, (int)Math.Ceiling(Math.Log10(Math.Max(maxRatio, 1.01))));
        AppendPanel(svg, result, 0, "first request / warm p50", c => c.FirstRatio, decades);
        AppendPanel(svg, result, PanelWidth, Inv($"burst of {s.Burst}: p99 / warm p50"), c => c.BurstRatio, decades);
        AppendStartPanel(svg, result, PanelWidth * 2);
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    public static async Task WriteAsync(CompareResult result, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, FileName), Render(result), ct);
    }

    private static void AppendLegend(StringBuilder svg, IReadOnlyList<string> strategies, double width)
    {
        var x = width / 2 - strategies.Count * 45;
        foreach (var strategy in strategies)
        {
            svg.AppendLine(Inv($"""<rect x="{x}" y="32" width="12" height="12" fill="{Color(strategy)}"/><text x="{x + 16}" y="42">{Escape(strategy)}</text>"""));
            x += 90;
        }
    }

    private static void AppendPanel(StringBuilder svg, CompareResult result, double offset, string title, Func<CellResult, double> ratio, int decades)
    {
        var s = result.Settings;
        var plotLeft = offset + Left;
        var plotWidth = PanelWidth - Left - Right;
        var plotBottom = Height - Bottom;
        var plotHeight = plotBottom - Top;
        // Log scale from 1x (the warm request) up to the next power of ten above the largest ratio.
        double Y(double value) => plotBottom - Math.Clamp(Math.Log10(Math.Max(value, 1)) / decades, 0, 1) * plotHeight;

        svg.AppendLine(Inv($"""<g class="panel"><text x="{plotLeft + plotWidth / 2}" y="{Top - 6}" text-anchor="middle" font-weight="bold">{Escape(title)}</text>"""));
        for (var d = 0; d <= decades; d++)
        {
            var y = Y(Math.Pow(10, d));
            svg.AppendLine(Inv($"""<line x1="{plotLeft}" x2="{plotLeft + plotWidth}" y1="{y:0.#}" y2="{y:0.#}" stroke="#ddd"/><text x="{plotLeft - 6}" y="{y + 4:0.#}" text-anchor="end">{Math.Pow(10, d)}x</text>"""));
        }

        AppendBars(svg, result, plotLeft, plotWidth, c => double.IsFinite(ratio(c)) ? ratio(c) : null, Y, v => Inv($"{v:0.0}x"));
        AppendAxes(svg, plotLeft, plotWidth);
    }

    // Linear, from 0 to a little above the largest ratio: on one core prewarm's bar must sit under 1.00x at 0 and 2 ms
    // and under 0.95x at 20 ms (0.90x everywhere: stretch); on two cores under 0.95x.
    private static void AppendStartPanel(StringBuilder svg, CompareResult result, double offset)
    {
        var plotLeft = offset + Left;
        var plotWidth = PanelWidth - Left - Right;
        var plotBottom = Height - Bottom;
        var plotHeight = plotBottom - Top;
        var ratios = result.Cells.Select(c => result.StartToFirstVsBest(c.Strategy, c.RttMs)).OfType<double>().Where(double.IsFinite).ToList();
        var top = Math.Max(1.2, Math.Ceiling((ratios.DefaultIfEmpty(1).Max() + 0.05) * 5) / 5);
        double Y(double value) => plotBottom - Math.Clamp(value / top, 0, 1) * plotHeight;

        svg.AppendLine(Inv($"""<g class="panel"><text x="{plotLeft + plotWidth / 2}" y="{Top - 6}" text-anchor="middle" font-weight="bold">process start → first response / better of none, select1</text>"""));
        for (var tick = 0.0; tick <= top + 1e-9; tick += 0.2)
        {
            var y = Y(tick);
            svg.AppendLine(Inv($"""<line x1="{plotLeft}" x2="{plotLeft + plotWidth}" y1="{y:0.#}" y2="{y:0.#}" stroke="#ddd"/><text x="{plotLeft - 6}" y="{y + 4:0.#}" text-anchor="end">{tick:0.0}x</text>"""));
        }

        AppendBars(svg, result, plotLeft, plotWidth, c => result.StartToFirstVsBest(c.Strategy, c.RttMs), Y, v => Inv($"{v:0.00}x"));
        AppendTarget(svg, plotLeft, plotWidth, Y(1.00), "target 1.00x (one core, 0 and 2 ms)");
        AppendTarget(svg, plotLeft, plotWidth, Y(0.95), "target 0.95x");
        AppendTarget(svg, plotLeft, plotWidth, Y(0.90), "stretch 0.90x");
        AppendAxes(svg, plotLeft, plotWidth);
    }

    private static void AppendBars(
        StringBuilder svg, CompareResult result, double plotLeft, double plotWidth, Func<CellResult, double?> ratio, Func<double, double> y, Func<double, string> text)
    {
        var s = result.Settings;
        var plotBottom = Height - Bottom;
        var labels = s.Labels;
        var groupWidth = plotWidth / Math.Max(1, s.RttMs.Count);
        var barWidth = groupWidth * 0.8 / Math.Max(1, labels.Count);
        for (var g = 0; g < s.RttMs.Count; g++)
        {
            var groupLeft = plotLeft + g * groupWidth + groupWidth * 0.1;
            svg.AppendLine(Inv($"""<text x="{groupLeft + groupWidth * 0.4:0.#}" y="{plotBottom + 18}" text-anchor="middle">+{s.RttMs[g]} ms RTT</text>"""));
            for (var b = 0; b < labels.Count; b++)
            {
                if (result.Cell(labels[b], s.RttMs[g]) is not { } cell || ratio(cell) is not { } value)
                {
                    continue;
                }

                var x = groupLeft + b * barWidth;
                var top = y(value);
                svg.AppendLine(Inv($"""<rect class="bar" data-strategy="{Escape(cell.Strategy)}" data-rtt="{cell.RttMs}" data-ratio="{value:0.###}" x="{x:0.#}" y="{top:0.#}" width="{barWidth - 2:0.#}" height="{Math.Max(1, plotBottom - top):0.#}" fill="{Color(cell.Strategy)}" fill-opacity="{Opacity(cell.Strategy)}"/>"""));
                svg.AppendLine(Inv($"""<text x="{x + (barWidth - 2) / 2:0.#}" y="{top - 4:0.#}" text-anchor="middle" font-size="10">{text(value)}</text>"""));
            }
        }
    }

    private static void AppendTarget(StringBuilder svg, double plotLeft, double plotWidth, double y, string label) =>
        svg.AppendLine(Inv($"""<line class="target" x1="{plotLeft}" x2="{plotLeft + plotWidth}" y1="{y:0.#}" y2="{y:0.#}" stroke="#333" stroke-dasharray="4 3"/><text x="{plotLeft + 3}" y="{y - 3:0.#}" font-size="10" fill="#333">{Escape(label)}</text>"""));

    private static void AppendAxes(StringBuilder svg, double plotLeft, double plotWidth)
    {
        var plotBottom = Height - Bottom;
        svg.AppendLine(Inv($"""<line x1="{plotLeft}" x2="{plotLeft + plotWidth}" y1="{plotBottom}" y2="{plotBottom}" stroke="black"/><line x1="{plotLeft}" x2="{plotLeft}" y1="{Top}" y2="{plotBottom}" stroke="black"/></g>"""));
    }

    // A second build's bars share their strategy's colour, lighter.
    private static string Color(string label) => s_colors.GetValueOrDefault(label.Split('+')[0], "#1f77b4");

    private static string Opacity(string label) => label.Contains('+', StringComparison.Ordinal) ? "0.5" : "1";

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
