using System.Xml.Linq;
using Prewarm.Lab.Cli;
using Prewarm.Lab.Report;
using Prewarm.LocalPostgres.Processes;

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
    public async Task Compare_OneRun_OnOneCore_WithNoDbAndAfterReady_WritesReportAndChart()
    {
        var before = CpuAffinity.OfCurrentThread();
        var run = await LabRun.RunAsync(["compare", "--runs", "1", "--rtt", "0", "--burst", "2", "--warm-requests", "5", "--after-ready", "100", "--out", _output]);

        Assert.True(run.ExitCode == LabApp.Ok, run.Error);
        var lines = await File.ReadAllLinesAsync(Path.Combine(_output, MarkdownReport.FileName));
        ReportAssert.HasCompareStructure(lines, CompareCommand.Strategies, [0]);
        // The default pins the app to the first core and PostgreSQL to the rest, and the kernel and the runtime say so.
        var seen = Assert.Single(lines, l => l.StartsWith("- Pinning as the kernel saw it", StringComparison.Ordinal));
        Assert.Contains($"app {before[0]}; the app's Environment.ProcessorCount 1; PostgreSQL backend {CpuAffinity.Format(before.Skip(1))}", seen, StringComparison.Ordinal);
        Assert.Contains("`nodb` never loaded Npgsql", seen, StringComparison.Ordinal);
        Assert.Contains(ReportAssert.Section(lines, "## After ready"), l => l.StartsWith("| 0 ms | prewarm |", StringComparison.Ordinal) && !l.Contains('–', StringComparison.Ordinal));
        ReportAssert.HasChartStructure(XDocument.Load(Path.Combine(_output, SvgChart.FileName)), cells: 4);
        Assert.Empty(ChildProcesses.Running("Prewarm.SampleApp.dll"));
        // The lab ran inside this test host: every thread has its cores back.
        Assert.Equal(before, CpuAffinity.OfCurrentThread());
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
        // Both builds on the default one core.
        Assert.Contains(lines, l => l.StartsWith("- Cores: --app-cpus 1: the app on core(s) ", StringComparison.Ordinal));
        var r2r = ReportAssert.Section(lines, "## ReadyToRun against JIT");
        Assert.Equal(CompareCommand.Strategies.Length, r2r.Count(l => l.StartsWith("| 0 ms |", StringComparison.Ordinal)));
        ReportAssert.HasChartStructure(XDocument.Load(Path.Combine(_output, SvgChart.FileName)), cells: 8);
        Assert.Empty(ChildProcesses.Running("Prewarm.SampleApp.dll"));
    }
}
