using System.Xml.Linq;
using Prewarm.Lab.Cli;
using Prewarm.Lab.Report;

namespace Prewarm.Lab.Tests;

/// <summary>The README's main command, shrunk: embedded database, every strategy, one run. Structure only, never timings.</summary>
public sealed class CompareEndToEndTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "prewarm-lab-e2e-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    [Fact]
    public async Task Compare_OneRun_WritesReportAndChart()
    {
        var run = await LabRun.RunAsync(["compare", "--runs", "1", "--rtt", "0", "--burst", "2", "--warm-requests", "5", "--out", _output]);

        Assert.True(run.ExitCode == LabApp.Ok, run.Error);
        var lines = await File.ReadAllLinesAsync(Path.Combine(_output, MarkdownReport.FileName));
        ReportAssert.HasCompareStructure(lines, CompareCommand.Strategies, [0]);
        ReportAssert.HasChartStructure(XDocument.Load(Path.Combine(_output, SvgChart.FileName)), cells: 3);
        Assert.Empty(ChildProcesses.Running("Prewarm.SampleApp.dll"));
    }
}
