using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Prewarm.Functions.Warmup;

/// <summary>
/// Keeps the pool warm and valid between bursts, on the schedule in <c>Prewarm:KeepAliveSchedule</c> (every two
/// minutes by default, below the 4-minute idle cut of Azure's load balancers): pings the idle connections, replaces
/// the dead ones and tops the pool up to <c>WarmConnections</c>, never holding more than that many at once.
/// </summary>
public sealed class KeepAliveFunction(
    WarmupCoordinator coordinator, KeepAliveHistory history, TimeProvider time, ILogger<KeepAliveFunction> logger)
{
    /// <summary>Runs one keep-alive pass.</summary>
    [Function(FunctionNames.KeepAlive)]
    public async Task Run([TimerTrigger("%Prewarm:KeepAliveSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (timer.IsPastDue)
        {
            // The host fires once for any number of missed occurrences (the instance was asleep or busy). One pass
            // is the right answer either way: the pass is idempotent, and catching up would only open more connections.
            Log.KeepAlivePastDue(logger, coordinator.Name, timer.ScheduleStatus?.Last, timer.ScheduleStatus?.Next);
        }

        var report = await coordinator.RunKeepAliveAsync(cancellationToken);
        history.Record(report, time.GetUtcNow());
        if (report.LastError is null)
        {
            Log.KeepAliveDone(logger, coordinator.Name, report.State, report.Validated, report.Replaced, report.Opened, report.Duration.TotalMilliseconds);
        }
        else
        {
            Log.KeepAliveFailed(logger, coordinator.Name, report.State, report.LastError);
        }
    }
}
