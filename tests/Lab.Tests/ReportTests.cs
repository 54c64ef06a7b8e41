using System.Xml.Linq;
using Prewarm.Lab.Compare;
using Prewarm.Lab.Proxy;
using Prewarm.Lab.Report;

namespace Prewarm.Lab.Tests;

public sealed class ReportTests : IDisposable
{
    private static readonly string[] s_strategies = ["none", "select1", "prewarm"];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "prewarm-lab-report-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Markdown_HasEveryCell_TheTargets_AndTheProxyCalibration()
    {
        await MarkdownReport.WriteAsync(Result(), _directory, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(Path.Combine(_directory, MarkdownReport.FileName));
        ReportAssert.HasCompareStructure(lines, s_strategies, [2, 20]);
        Assert.Contains(lines, l => l.StartsWith("| first request ≤ 1.1x warm p50 at 20 ms | 1.05x | yes |", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Chart_IsSvg_WithOneBarPerCellAndPanel()
    {
        await SvgChart.WriteAsync(Result(), _directory, CancellationToken.None);

        var svg = XDocument.Load(Path.Combine(_directory, SvgChart.FileName));
        ReportAssert.HasChartStructure(svg, cells: 6);
    }

    private static CompareResult Result()
    {
        var cells = new List<CellResult>();
        foreach (var rtt in new[] { 2, 20 })
        {
            foreach (var strategy in s_strategies)
            {
                var warm = 1.0 + rtt;
                var first = strategy == "prewarm" ? warm * 1.05 : warm * 10;
                cells.Add(new CellResult(strategy, rtt, [new RunSample(first, 900, strategy == "none" ? null : 50, warm, [first, first * 1.1])]));
            }
        }

        var settings = new CompareSettings(s_strategies, [2, 20], 1, 2, 30, 8, "Background", "unused");
        ProxyCalibration[] calibrations = [new(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(0.05), TimeSpan.FromMilliseconds(2.1))];
        return new CompareResult("prewarm compare --runs 1", settings, cells, calibrations, [new ControlSample(20, 0.5)], "test db", "test machine", DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1));
    }
}
