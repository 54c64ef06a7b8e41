using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Prewarm.Functions.Warmup;

/// <summary>
/// Runs one keep-alive pass on the schedule in <c>Prewarm:KeepAliveSchedule</c>: pings the idle connections, replaces
/// the dead ones, retires the ones due and tops the pool up to <c>WarmConnections</c>.
/// </summary>
/// <remarks>
/// Not what keeps every instance valid: Azure runs a timer trigger on one instance of a scaled-out app at a time (the
/// host holds a blob lease), so the library's background loop (<c>Prewarm:postgres:KeepAliveInterval</c>, 2 minutes by
/// default) does that on each instance. This pass is the one a schedule and the host's logs show; it joins the loop's
/// pass when they meet (passes are single-flight), and it restarts a failed warm-up on the instance it runs on. The
/// library logs each pass once, whoever ran it, so this function does not log its outcome again.
/// </remarks>
public sealed class KeepAliveFunction(
    WarmupCoordinator coordinator, ILogger<KeepAliveFunction> logger)
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

        await coordinator.RunKeepAliveAsync(cancellationToken);
    }
}
