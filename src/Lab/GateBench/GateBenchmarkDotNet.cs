using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Prewarm.Lab.Cli;

namespace Prewarm.Lab.GateBench;

/// <summary>Runs <see cref="GateBenchmarks"/> under BenchmarkDotNet (0.15.8) in this process (it runs on net10.0 here with the in-process toolchain).</summary>
internal static class GateBenchmarkDotNet
{
    public static GateBenchResult Run(Func<CancellationToken, Task<bool>> gate)
    {
        GateBenchmarks.Gate = gate;
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "prewarm-gate-bench"));
        var summary = BenchmarkRunner.Run<GateBenchmarks>(config);
        var report = summary.Reports.FirstOrDefault(r => r.Success && r.ResultStatistics is not null)
            ?? throw new LabException("BenchmarkDotNet produced no result" + (summary.HasCriticalValidationErrors ? ": " + string.Join("; ", summary.ValidationErrors.Select(e => e.Message)) + " (build with -c Release)" : ""));
        var stats = report.ResultStatistics!;
        var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        return new GateBenchResult("BenchmarkDotNet 0.15.8, in-process", $"{stats.N} iterations", stats.Median, stats.Min, stats.Max, bytes);
    }
}
