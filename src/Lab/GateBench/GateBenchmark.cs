using System.Diagnostics;

namespace Prewarm.Lab.GateBench;

/// <summary>What one call of the readiness gate's warm path costs.</summary>
internal sealed record GateBenchResult(string Engine, string Measurements, double MedianNsPerCall, double MinNsPerCall, double MaxNsPerCall, double AllocatedBytesPerCall);

/// <summary>
/// A Stopwatch harness for <c>WaitForWarmAsync</c> on the warm path. Synchronous on one thread so
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> sees every byte; a warm-up phase first lets tiered JIT settle.
/// </summary>
internal static class GateBenchmark
{
    public static GateBenchResult Measure(Func<CancellationToken, Task<bool>> gate, int callsPerRound, int rounds)
    {
        // Tier-0 code is promoted after 30 calls plus a 100 ms delay (TieredCompilation defaults); run well past that.
        var warmupUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < warmupUntil)
        {
            RunCalls(gate, 100_000);
        }

        var nsPerCall = new List<double>(rounds);
        long allocated = 0;
        for (var round = 0; round < rounds; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            RunCalls(gate, callsPerRound);
            var elapsed = Stopwatch.GetElapsedTime(started);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            nsPerCall.Add(elapsed.TotalNanoseconds / callsPerRound);
        }

        nsPerCall.Sort();
        return new GateBenchResult("Stopwatch harness", $"{rounds} rounds of {callsPerRound} calls", nsPerCall[nsPerCall.Count / 2], nsPerCall[0], nsPerCall[^1], (double)allocated / ((long)rounds * callsPerRound));
    }

    private static void RunCalls(Func<CancellationToken, Task<bool>> gate, int calls)
    {
        for (var i = 0; i < calls; i++)
        {
            var task = gate(CancellationToken.None);
            // The warm path must complete synchronously with true; anything else is a broken gate, not a slow one.
            if (!task.IsCompletedSuccessfully || !task.Result)
            {
                throw new InvalidOperationException("WaitForWarmAsync did not complete synchronously with true on a warm coordinator.");
            }
        }
    }
}
