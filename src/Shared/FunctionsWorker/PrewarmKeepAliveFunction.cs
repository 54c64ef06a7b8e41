using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Prewarm.Functions.Worker;

/// <summary>
/// The <c>KeepAlive</c> function: one keep-alive pass per gated pool on the schedule in the app setting
/// <c>Prewarm:KeepAliveSchedule</c> (required; e.g. <c>0 */2 * * * *</c>): pings the idle connections, replaces the dead
/// ones, retires the ones due and tops the pool up to <c>WarmConnections</c>.
/// </summary>
/// <remarks>
/// Not what keeps every instance valid: Azure runs a timer trigger on one instance of a scaled-out app at a time (the
/// host holds a blob lease), so the library's background loop (<c>Prewarm:{name}:KeepAliveInterval</c>, 2 minutes by
/// default) does that on each instance. This pass is the one a schedule and the host's logs show; it joins the loop's
/// pass when they meet (passes are single-flight), and it restarts a failed warm-up on the instance it runs on. The
/// library logs each pass once, whoever ran it.
/// </remarks>
public sealed class PrewarmKeepAliveFunction
{
    /// <summary>Runs one keep-alive pass on every pool the gate waits for.</summary>
    /// <param name="timer">The timer's occurrence.</param>
    /// <param name="context">The invocation.</param>
    // An instance method, as the worker activates the class per invocation; it needs no state of its own.
#pragma warning disable CA1822
    [Function(PrewarmFunctionNames.KeepAlive)]
    public async Task Run([TimerTrigger("%Prewarm:KeepAliveSchedule%")] TimerInfo timer, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(timer);
        ArgumentNullException.ThrowIfNull(context);
        var services = context.InstanceServices;
        foreach (var name in PrewarmWarmupFunction.GateNames(services))
        {
            var coordinator = services.GetRequiredPrewarmCoordinator(name);
            if (timer.IsPastDue)
            {
                // The host fires once for any number of missed occurrences (the instance was asleep or busy). One pass
                // is the right answer either way: the pass is idempotent, and catching up would only open more connections.
                Log.KeepAlivePastDue(services.GetRequiredService<ILogger<PrewarmKeepAliveFunction>>(), name, timer.ScheduleStatus?.Last, timer.ScheduleStatus?.Next);
            }

            await coordinator.RunKeepAliveAsync(context.CancellationToken).ConfigureAwait(false);
        }
    }
#pragma warning restore CA1822
}
