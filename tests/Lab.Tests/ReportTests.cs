using System.Xml.Linq;
using Prewarm.Lab.Compare;
using Prewarm.Lab.Proxy;
using Prewarm.Lab.Report;

namespace Prewarm.Lab.Tests;

public sealed class ReportTests : IDisposable
{
    private static readonly string[] s_strategies = ["none", "select1", "prewarm"];
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "prewarm-lab-report-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Markdown_HasEveryCell_TheTargets_AndTheProxyCalibration()
    {
        await MarkdownReport.WriteAsync(Result("BlockUntilWarm"), _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        ReportAssert.HasCompareStructure(lines, s_strategies, [2, 20]);
        Assert.Contains("| first request ≤ 1.1x warm p50 at 20 ms | 1.05x | yes |", lines);
        // 800 ms against select1's 900: met at 20 ms, the stretch (0.85x) not.
        Assert.Contains("| start → first response ≤ 0.95x the better of `none` and `select1` at 20 ms | 0.89x | yes |", lines);
        Assert.Contains("| stretch: start → first response ≤ 0.85x the better at 20 ms | 0.89x | **no** |", lines);
    }

    [Fact]
    public async Task Markdown_MissedStartTarget_NamesThePhaseThatHoldsIt()
    {
        await MarkdownReport.WriteAsync(Result("Background"), _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        Assert.Contains("| start → first response ≤ 0.95x the better of `none` and `select1` at 2 ms | 1.06x | **no** |", lines);
        var miss = Assert.Single(lines, l => l.StartsWith("- Missed at 2 ms (1.06x):", StringComparison.Ordinal));
        Assert.Contains("held by the gate wait: 60.0 ms against 0.0 ms for `select1`", miss, StringComparison.Ordinal);
        Assert.Contains("ready 700 ms after process start", miss, StringComparison.Ordinal);
        // The after-warm-up targets belong to block mode: shown, not judged, in a background run.
        Assert.Contains("| first request ≤ 1.1x warm p50 at 20 ms (block mode only) | 1.05x | – |", lines);
        var split = ReportAssert.Section(lines, "## Process start → first response, split");
        Assert.Contains("| 2 ms | prewarm | 500.0 | 700.0 | 750.0 | 950.0 | 1.06x |", split);
    }

    [Fact]
    public async Task Markdown_FunctionsRun_MissWithoutAPhaseSplit_SaysSo()
    {
        // compare --app functions: none and prewarm only, no Server-Timing, no /ping.
        var settings = new CompareSettings(["none", "prewarm"], [2, 20], 1, 2, 30, 8, "Background", "unused");
        var cells = settings.RttMs.SelectMany(rtt => new[]
        {
            new CellResult("none", rtt, [new RunSample(400, 900, null, 20, [400, 410])]),
            new CellResult("prewarm", rtt, [new RunSample(300, 1000, null, 20, [300, 310])]),
        }).ToList();
        var result = new CompareResult("prewarm compare --app functions", settings, cells, [], [], "test db", "test machine", DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1));

        await MarkdownReport.WriteAsync(result, _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        var miss = Assert.Single(lines, l => l.StartsWith("- Missed at 20 ms (1.11x):", StringComparison.Ordinal));
        Assert.Contains("no phase split in this run", miss, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markdown_BothBuilds_ComparesReadyToRunWithJit_PerStrategy()
    {
        await MarkdownReport.WriteAsync(Result("Background", [CompareSettings.Jit, CompareSettings.ReadyToRun]), _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        ReportAssert.HasCompareStructure(lines, ["none", "select1", "prewarm", "none+r2r", "select1+r2r", "prewarm+r2r"], [2, 20]);
        var r2r = ReportAssert.Section(lines, "## ReadyToRun against JIT");
        // The r2r cells of Result() take 0.8 of the jit cells' time.
        Assert.Contains("| 20 ms | prewarm | 800.0 | 640.0 | **0.80x** | 500.0 | 400.0 | 22.1 | 22.1 |", r2r);
        Assert.Equal(6, r2r.Count(l => l.StartsWith("| 2", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Chart_IsSvg_WithOneBarPerCellAndPanel_AndTheStartTargetsAsLines()
    {
        await SvgChart.WriteAsync(Result("Background"), _directory, CancellationToken.None);

        var svg = XDocument.Load(Path.Combine(_directory, SvgChart.FileName));
        ReportAssert.HasChartStructure(svg, cells: 6);
        var startPanel = svg.Descendants(s_svg + "g").Where(g => (string?)g.Attribute("class") == "panel").Last();
        var targets = startPanel.Descendants(s_svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("target 0.95x", targets);
        Assert.Contains("stretch 0.85x (20 ms)", targets);
        var prewarm20 = startPanel.Descendants(s_svg + "rect").Single(r => (string?)r.Attribute("data-strategy") == "prewarm" && (string?)r.Attribute("data-rtt") == "20");
        Assert.Equal("0.889", (string?)prewarm20.Attribute("data-ratio"));
    }

    // prewarm's process start → first response: 950 ms at 2 ms (a miss held by its gate wait), 800 at 20 ms; the
    // baselines 900 (select1) and 1000 (none). A second build, if asked for, takes 0.8 of each time.
    private static CompareResult Result(string startup, IReadOnlyList<string>? builds = null)
    {
        var settings = new CompareSettings(s_strategies, [2, 20], 1, 2, 30, 8, startup, "unused", builds);
        var cells = new List<CellResult>();
        foreach (var rtt in new[] { 2, 20 })
        {
            foreach (var build in settings.BuildList)
            {
                var scale = build == settings.BuildList[0] ? 1.0 : 0.8;
                foreach (var strategy in s_strategies)
                {
                    var warm = 1.0 + rtt;
                    var first = strategy == "prewarm" ? warm * 1.05 : warm * 10;
                    var startToFirst = strategy switch { "none" => 1000.0, "select1" => 900.0, _ => rtt == 2 ? 950.0 : 800.0 } * scale;
                    var phases = new Dictionary<string, double> { ["gate"] = strategy == "prewarm" ? 60 : 0, ["open"] = 0.5, ["query"] = 1 };
                    double? ready = strategy == "none" ? null : 700;
                    cells.Add(new CellResult(settings.Label(strategy, build), rtt, [new RunSample(
                        first, startToFirst, strategy == "none" ? null : 50, warm, [first, first * 1.1], FirstServerPhases: phases,
                        AcceptingMs: 500 * scale, FirstReadyMs: ready, AllReadyMs: ready + 50)]));
                }
            }
        }

        ProxyCalibration[] calibrations = [new(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(0.05), TimeSpan.FromMilliseconds(2.1))];
        return new CompareResult("prewarm compare --runs 1", settings, cells, calibrations, [new ControlSample(20, 0.5)], "test db", "test machine", DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1));
    }
}
