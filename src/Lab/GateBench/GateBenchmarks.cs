using BenchmarkDotNet.Attributes;

namespace Prewarm.Lab.GateBench;

/// <summary>
/// The BenchmarkDotNet form of the gate benchmark. It runs in-process (InProcessEmitToolchain), so the warm
/// coordinator built by <c>gate-bench</c> is handed over through a static: BenchmarkDotNet creates this class itself.
/// </summary>
[MemoryDiagnoser]
public class GateBenchmarks
{
    internal static Func<CancellationToken, Task<bool>>? Gate { get; set; }

    [Benchmark]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet runs instance methods only.")]
    public Task<bool> WaitForWarmAsync_Warm() => Gate!(CancellationToken.None);
}
