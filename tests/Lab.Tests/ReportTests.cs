using System.Xml.Linq;
using Prewarm.Lab.Compare;
using Prewarm.Lab.Proxy;
using Prewarm.Lab.Report;

namespace Prewarm.Lab.Tests;

public sealed class ReportTests : IDisposable
{
    private static readonly string[] s_strategies = ["none", "select1", "prewarm", "nodb"];
    private static readonly CorePlan s_oneCore = CorePlan.Create("1", [0, 1], externalDatabase: false).Plan!;
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "prewarm-lab-report-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Markdown_HasEveryCell_TheOneCoreTargets_AndTheProxyCalibration()
    {
        await MarkdownReport.WriteAsync(Result("Background"), _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        ReportAssert.HasCompareStructure(lines, s_strategies, [2, 20]);
        Assert.Contains(lines, l => l.StartsWith("- Cores: --app-cpus 1: the app on core(s) 0", StringComparison.Ordinal) && l.Contains("on core(s) 1", StringComparison.Ordinal));
        // 800 ms against select1's 900 at 20 ms: under 0.95x and the 0.90x stretch; 950 at 2 ms is over 1.00x.
        Assert.Contains("| one core: start → first response ≤ 0.95x the better of `none` and `select1` at 20 ms | 0.89x | yes |", lines);
        Assert.Contains("| one core: start → first response ≤ 1.00x the better of `none` and `select1` at 2 ms | 1.06x | **no** |", lines);
        Assert.Contains("| stretch, one core: start → first response ≤ 0.90x the better at 20 ms | 0.89x | yes |", lines);
        Assert.Contains("| after ready (2000 ms idle): first request ≤ 1.2x warm p50 at 20 ms | 1.10x | yes |", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("| two cores", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Markdown_TwoCores_JudgesTheShareRemoved()
    {
        var plan = CorePlan.Create("2", [0, 1, 2], externalDatabase: false).Plan!;
        await MarkdownReport.WriteAsync(Result("Background", cores: plan), _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        // At 2 ms: none 1000, nodb 600, prewarm 950: (1000 − 950) / (1000 − 600) = 0.125.
        Assert.Contains("| two cores: share of the database's cold-start cost removed ≥ 0.35 at 2 ms | 0.13 | **no** |", lines);
        Assert.Contains("| two cores: start → first response ≤ 0.95x the better of `none` and `select1` at 20 ms | 0.89x | yes |", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("| one core", StringComparison.Ordinal));
    }

    [Fact]
    public void ShareRemoved_IsNoneMinusStrategy_OverNoneMinusNoDb()
    {
        var result = Result("Background");

        // None 1000, nodb 600 at either RTT: a share of 400 ms.
        Assert.Equal(400, result.DatabaseShare("prewarm", 20));
        Assert.Equal(0.5, result.ShareRemoved("prewarm", 20));
        Assert.Equal(0.25, result.ShareRemoved("select1", 20));
        Assert.Equal(0, result.ShareRemoved("none", 20));
        Assert.Equal(1, result.ShareRemoved("nodb", 20));
        Assert.Null(result.ShareRemoved("prewarm", 7));
    }

    [Fact]
    public void ShareRemoved_WithoutADatabaseCost_IsNotANumber()
    {
        var settings = new CompareSettings(["none", "prewarm", "nodb"], [2], 1, 2, 30, 8, "Background", "unused");
        var cells = new[] { ("none", 500.0), ("prewarm", 450.0), ("nodb", 500.0) }
            .Select(c => new CellResult(c.Item1, 2, [new RunSample(10, c.Item2, null, 1, [10])])).ToList();
        var result = new CompareResult("x", settings, cells, [], "db", "machine", DateTimeOffset.UnixEpoch, TimeSpan.Zero);

        Assert.Equal(0, result.DatabaseShare("prewarm", 2));
        Assert.Null(result.ShareRemoved("prewarm", 2));
    }

    [Fact]
    public async Task Markdown_MissedStartTarget_NamesThePhaseThatHoldsIt()
    {
        await MarkdownReport.WriteAsync(Result("Background"), _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        var miss = Assert.Single(lines, l => l.StartsWith("- Missed at 2 ms (1.06x):", StringComparison.Ordinal));
        Assert.Contains("held by the gate wait: 60.0 ms against 0.0 ms for `select1`", miss, StringComparison.Ordinal);
        Assert.Contains("ready 700 ms after process start", miss, StringComparison.Ordinal);
        var split = ReportAssert.Section(lines, "## Process start → first response, split");
        Assert.Contains("| 2 ms | prewarm | 500.0 | 700.0 | 750.0 | 950.0 | 1.06x |", split);
    }

    [Fact]
    public async Task Markdown_BlockMode_ShowsTheStartTargetsWithoutJudgingThem()
    {
        await MarkdownReport.WriteAsync(Result("BlockUntilWarm"), _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        Assert.Contains("| one core: start → first response ≤ 1.00x the better of `none` and `select1` at 2 ms (default mode only) | 1.06x | – |", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("- Missed at", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Markdown_FunctionsRun_OnOneCore_JudgesAgainstNone_AndAMissWithoutAPhaseSplitSaysSo()
    {
        // compare --app functions: none and prewarm only, no Server-Timing, no /ping.
        var settings = new CompareSettings(["none", "prewarm"], [2, 20], 1, 2, 30, 8, "Background", "unused", Cores: s_oneCore);
        var cells = settings.RttMs.SelectMany(rtt => new[]
        {
            new CellResult("none", rtt, [new RunSample(400, 900, null, 20, [400, 410])]),
            new CellResult("prewarm", rtt, [new RunSample(300, rtt == 2 ? 850 : 1000, null, 20, [300, 310])]),
        }).ToList();
        var result = new CompareResult("prewarm compare --app functions", settings, cells, [], "test db", "test machine", DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1));

        await MarkdownReport.WriteAsync(result, _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        Assert.Contains("| Functions, one core: start → first response ≤ 1.00x `none` at 2 ms | 0.94x | yes |", lines);
        Assert.Contains("| Functions, one core: start → first response ≤ 1.00x `none` at 20 ms | 1.11x | **no** |", lines);
        var miss = Assert.Single(lines, l => l.StartsWith("- Missed at 20 ms (1.11x):", StringComparison.Ordinal));
        Assert.Contains("no phase split in this run", miss, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markdown_BothBuilds_ComparesReadyToRunWithJit_PerStrategy()
    {
        await MarkdownReport.WriteAsync(Result("Background", [CompareSettings.Jit, CompareSettings.ReadyToRun]), _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        ReportAssert.HasCompareStructure(lines, [.. s_strategies, .. s_strategies.Select(s => s + "+r2r")], [2, 20]);
        var r2r = ReportAssert.Section(lines, "## ReadyToRun against JIT");
        // The r2r cells of Result() take 0.8 of the jit cells' time.
        Assert.Contains("| 20 ms | prewarm | 800.0 | 640.0 | **0.80x** | 500.0 | 400.0 | 22.1 | 22.1 |", r2r);
        Assert.Equal(8, r2r.Count(l => l.StartsWith("| 2", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Chart_IsSvg_WithOneBarPerCellAndPanel_AndTheStartTargetsAsLines()
    {
        await SvgChart.WriteAsync(Result("Background"), _directory, CancellationToken.None);

        var svg = XDocument.Load(Path.Combine(_directory, SvgChart.FileName));
        ReportAssert.HasChartStructure(svg, cells: 8);
        var startPanel = svg.Descendants(s_svg + "g").Where(g => (string?)g.Attribute("class") == "panel").Last();
        var targets = startPanel.Descendants(s_svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("target 1.00x (one core, 0 and 2 ms)", targets);
        Assert.Contains("target 0.95x", targets);
        Assert.Contains("stretch 0.90x", targets);
        var prewarm20 = startPanel.Descendants(s_svg + "rect").Single(r => (string?)r.Attribute("data-strategy") == "prewarm" && (string?)r.Attribute("data-rtt") == "20");
        Assert.Equal("0.889", (string?)prewarm20.Attribute("data-ratio"));
    }

    // prewarm's process start → first response: 950 ms at 2 ms (a miss held by its gate wait), 800 at 20 ms; the
    // baselines 900 (select1) and 1000 (none); nodb 600. After ready, prewarm's first is 1.1x its warm p50. A second
    // build, if asked for, takes 0.8 of each time.
    private static CompareResult Result(string startup, IReadOnlyList<string>? builds = null, CorePlan? cores = null)
    {
        var settings = new CompareSettings(s_strategies, [2, 20], 1, 2, 30, 8, startup, "unused", builds, cores ?? s_oneCore, AfterReadyMs: 2000);
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
                    var startToFirst = strategy switch { "none" => 1000.0, "select1" => 900.0, "nodb" => 600.0, _ => rtt == 2 ? 950.0 : 800.0 } * scale;
                    var phases = new Dictionary<string, double> { ["gate"] = strategy == "prewarm" ? 60 : 0, ["open"] = 0.5, ["query"] = 1 };
                    double? ready = strategy is "none" or "nodb" ? null : 700;
                    cells.Add(new CellResult(settings.Label(strategy, build), rtt, [new RunSample(
                        first, startToFirst, ready is null ? null : 50, warm, [first, first * 1.1], FirstServerPhases: phases,
                        AcceptingMs: 500 * scale, FirstReadyMs: ready, AllReadyMs: ready + 50, AfterReadyFirstMs: strategy == "prewarm" ? warm * 1.1 : first)]));
                }
            }
        }

        ProxyCalibration[] calibrations = [new(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(0.05), TimeSpan.FromMilliseconds(2.1))];
        return new CompareResult("prewarm compare --runs 1", settings, cells, calibrations, "test db", "test machine", DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1));
    }
}
