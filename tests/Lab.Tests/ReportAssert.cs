using System.Xml.Linq;

namespace Prewarm.Lab.Tests;

/// <summary>The structure every compare report must have, shared by the unit test and the end-to-end test.</summary>
internal static class ReportAssert
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    public static void HasCompareStructure(string[] lines, string[] strategies, int[] rttMs)
    {
        Assert.Equal("# prewarm compare", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("- Command: `prewarm compare", StringComparison.Ordinal));
        foreach (var heading in new[] { "## Results", "## Process start → first response, split", "## Where the first request's time goes", "## Targets for `prewarm` (issue 20)", "## The database's share of a cold start", "## After ready", "## Delay proxy calibration", "## How to read this" })
        {
            Assert.Contains(lines, l => l.StartsWith(heading, StringComparison.Ordinal));
        }

        Assert.Contains("| added RTT | strategy | first | first p99 | warm p50 | first / warm p50 | burst p99 | burst p99 / warm p50 | start → first response | warm-up wall time |", lines);
        var results = Section(lines, "## Results");
        var split = Section(lines, "## Where the first request's time goes");
        var start = Section(lines, "## Process start → first response, split");
        var share = Section(lines, "## The database's share of a cold start");
        var afterReady = Section(lines, "## After ready");
        foreach (var rtt in rttMs)
        {
            foreach (var strategy in strategies)
            {
                var row = Assert.Single(results, l => l.StartsWith($"| {rtt} ms | {strategy} |", StringComparison.Ordinal));
                Assert.Equal(11, row.Count(c => c == '|'));
                var phases = Assert.Single(split, l => l.StartsWith($"| {rtt} ms | {strategy} |", StringComparison.Ordinal));
                Assert.Equal(8, phases.Count(c => c == '|'));
                var startRow = Assert.Single(start, l => l.StartsWith($"| {rtt} ms | {strategy} |", StringComparison.Ordinal));
                Assert.Equal(8, startRow.Count(c => c == '|'));
                Assert.Equal(6, Assert.Single(share, l => l.StartsWith($"| {rtt} ms | {strategy} |", StringComparison.Ordinal)).Count(c => c == '|'));
                Assert.Equal(6, Assert.Single(afterReady, l => l.StartsWith($"| {rtt} ms | {strategy} |", StringComparison.Ordinal)).Count(c => c == '|'));
            }
        }
    }

    public static string[] Section(string[] lines, string heading) =>
        lines.SkipWhile(l => !l.StartsWith(heading, StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).ToArray();

    public static void HasChartStructure(XDocument svg, int cells)
    {
        Assert.Equal(s_svg + "svg", svg.Root!.Name);
        // first / warm p50, burst p99 / warm p50, and start → first response over the better baseline.
        Assert.Equal(3, svg.Descendants(s_svg + "g").Count(g => (string?)g.Attribute("class") == "panel"));
        Assert.Equal(cells * 3, svg.Descendants(s_svg + "rect").Count(r => (string?)r.Attribute("class") == "bar"));
    }
}
