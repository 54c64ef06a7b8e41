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

    [Fact]
    public async Task Compare_BothBuilds_PublishesReadyToRun_AndRunsBothInterleaved()
    {
        var run = await LabRun.RunAsync(["compare", "--runs", "1", "--rtt", "0", "--burst", "2", "--warm-requests", "5", "--builds", "jit,r2r", "--out", _output]);

        Assert.True(run.ExitCode == LabApp.Ok, run.Error);
        // What ran as r2r really is native code, not the IL build under another name.
        Assert.True(Prewarm.Lab.Compare.ReadyToRunPublish.IsReadyToRun(Path.Combine(_output, "sampleapp-r2r", "Prewarm.SampleApp.dll")));
        Assert.False(Prewarm.Lab.Compare.ReadyToRunPublish.IsReadyToRun(Prewarm.Lab.Compare.SampleAppProcess.DefaultAppPath()));
        var lines = await File.ReadAllLinesAsync(Path.Combine(_output, MarkdownReport.FileName));
        string[] labels = [.. CompareCommand.Strategies, .. CompareCommand.Strategies.Select(s => s + "+r2r")];
        ReportAssert.HasCompareStructure(lines, labels, [0]);
        var r2r = ReportAssert.Section(lines, "## ReadyToRun against JIT");
        Assert.Equal(CompareCommand.Strategies.Length, r2r.Count(l => l.StartsWith("| 0 ms |", StringComparison.Ordinal)));
        ReportAssert.HasChartStructure(XDocument.Load(Path.Combine(_output, SvgChart.FileName)), cells: 6);
        Assert.Empty(ChildProcesses.Running("Prewarm.SampleApp.dll"));
    }
}
