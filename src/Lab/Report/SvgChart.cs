using System.Globalization;
using System.Security;
using System.Text;
using Prewarm.Lab.Compare;

namespace Prewarm.Lab.Report;

/// <summary>
/// Writes <c>chart.svg</c> by hand (no charting package): two panels, first/warm-p50 and burst-p99/warm-p50,
/// grouped by added RTT, one bar per strategy, on a log scale because the baselines sit 10-100x above prewarm.
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
    };

    public static string Render(CompareResult result)
    {
        var s = result.Settings;
        var width = PanelWidth * 2;
        var svg = new StringBuilder();
        svg.AppendLine(Inv($"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{Height}" viewBox="0 0 {width} {Height}" font-family="sans-serif" font-size="12">"""));
        svg.AppendLine(Inv($"""<rect width="{width}" height="{Height}" fill="white"/>"""));
        svg.AppendLine(Inv($"""<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">Cold start cost relative to warm p50 (log scale; lower is better, 1x = warm)</text>"""));
        AppendLegend(svg, s.Strategies, width);

        var maxRatio = result.Cells.SelectMany(c => new[] { c.FirstRatio, c.BurstRatio }).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        var decades = Math.Max(1, (int)Math.Ceiling(Math.Log10(Math.Max(maxRatio, 1.01))));
        AppendPanel(svg, result, 0, "first request / warm p50", c => c.FirstRatio, decades);
        AppendPanel(svg, result, PanelWidth, Inv($"burst of {s.Burst}: p99 / warm p50"), c => c.BurstRatio, decades);
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

        var groupWidth = plotWidth / Math.Max(1, s.RttMs.Count);
        var barWidth = groupWidth * 0.8 / Math.Max(1, s.Strategies.Count);
        for (var g = 0; g < s.RttMs.Count; g++)
        {
            var groupLeft = plotLeft + g * groupWidth + groupWidth * 0.1;
            svg.AppendLine(Inv($"""<text x="{groupLeft + groupWidth * 0.4:0.#}" y="{plotBottom + 18}" text-anchor="middle">+{s.RttMs[g]} ms RTT</text>"""));
            for (var b = 0; b < s.Strategies.Count; b++)
            {
                if (result.Cell(s.Strategies[b], s.RttMs[g]) is not { } cell || !double.IsFinite(ratio(cell)))
                {
                    continue;
                }

                var value = ratio(cell);
                var x = groupLeft + b * barWidth;
                var y = Y(value);
                svg.AppendLine(Inv($"""<rect class="bar" data-strategy="{Escape(cell.Strategy)}" data-rtt="{cell.RttMs}" data-ratio="{value:0.###}" x="{x:0.#}" y="{y:0.#}" width="{barWidth - 2:0.#}" height="{Math.Max(1, plotBottom - y):0.#}" fill="{Color(cell.Strategy)}"/>"""));
                svg.AppendLine(Inv($"""<text x="{x + (barWidth - 2) / 2:0.#}" y="{y - 4:0.#}" text-anchor="middle" font-size="10">{value:0.0}x</text>"""));
            }
        }

        // Drawn over the bars: the bar for prewarm's first request and first burst (1.5x; 1.1x at 20 ms for the first request).
        var target = Y(1.5);
        svg.AppendLine(Inv($"""<line class="target" x1="{plotLeft}" x2="{plotLeft + plotWidth}" y1="{target:0.#}" y2="{target:0.#}" stroke="#333" stroke-dasharray="4 3"/><text x="{plotLeft + 3}" y="{target - 3:0.#}" font-size="10" fill="#333">target 1.5x</text>"""));

        svg.AppendLine(Inv($"""<line x1="{plotLeft}" x2="{plotLeft + plotWidth}" y1="{plotBottom}" y2="{plotBottom}" stroke="black"/><line x1="{plotLeft}" x2="{plotLeft}" y1="{Top}" y2="{plotBottom}" stroke="black"/></g>"""));
    }

    private static string Color(string strategy) => s_colors.GetValueOrDefault(strategy, "#1f77b4");

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
