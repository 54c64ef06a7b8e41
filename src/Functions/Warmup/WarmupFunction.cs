using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Prewarm.Functions.Gate;

namespace Prewarm.Functions.Warmup;

/// <summary>
/// Runs when the platform adds an instance (Premium and Dedicated plans only; not on Consumption, not on restarts),
/// and holds the instance out of rotation until the pool is warm. Only a hint: the warm-up already started at host
/// start, and the gate covers every invocation that arrives before it ends.
/// </summary>
public sealed class WarmupFunction(WarmupCoordinator coordinator, FunctionsAppOptions options, ILogger<WarmupFunction> logger)
{
    /// <summary>Returns when the pool is warm; throws when it is not warm within the bound.</summary>
    [Function(FunctionNames.Warmup)]
    public async Task Run([WarmupTrigger] object warmupContext, CancellationToken cancellationToken)
    {
        WarmupReport report;
        try
        {
            // EnsureWarmAsync joins the run host start began; cancelling the wait leaves that run going.
            report = await coordinator.EnsureWarmAsync(cancellationToken).WaitAsync(options.WarmupFunctionTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Log.WarmupFunctionTimedOut(logger, coordinator.Name, options.WarmupFunctionTimeout.TotalSeconds, coordinator.State);
            throw new DatabaseNotReadyException(
                $"Warmup: '{coordinator.Name}' is not warm after {options.WarmupFunctionTimeout.TotalSeconds:0.#} s (state {coordinator.State}).");
        }

        if (report.State != WarmupState.Warm)
        {
            Log.WarmupFunctionFailed(logger, coordinator.Name, report.State, report.Attempts, report.LastError);
            throw new DatabaseNotReadyException(
                $"Warmup: '{coordinator.Name}' is {report.State} after {report.Attempts} attempt(s): {report.LastError}");
        }

        Log.WarmupFunctionWarm(logger, coordinator.Name, report.ConnectionsWarmed, report.Duration.TotalMilliseconds, report.Attempts);
    }
}
