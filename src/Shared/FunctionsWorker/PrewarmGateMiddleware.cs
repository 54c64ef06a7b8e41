using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Prewarm.Gates;

namespace Prewarm.Functions.Worker;

// The readiness gate every invocation passes. The Warmup trigger is only a hint (it does not fire on Consumption or
// on restarts, and requests can arrive before it ends: azure-functions-host #9737, #9181), so the function bodies
// must not be the first to touch a cold pool. Waits up to GateTimeout for Warm; then an HTTP caller gets a 503 with
// Retry-After instead of a 500 after Npgsql's connect timeout, and any other trigger fails fast with a clear exception.
// A function that fails on a dead connection is reported to the library, which re-warms while later invocations wait.
// UseMiddleware<T> registers it as a singleton: it holds no per-invocation state. The coordinators and settings are the
// library's own, found by name (GetRequiredPrewarmCoordinator), so the app hands nothing over.
internal sealed class PrewarmGateMiddleware(IServiceProvider services, GateRegistration gate, GateMetrics metrics, ILogger<PrewarmGateMiddleware> logger)
    : IFunctionsWorkerMiddleware
{
    private readonly (WarmupCoordinator Coordinator, PrewarmSettings Settings)[] _databases =
        [.. gate.Names.Select(name => (services.GetRequiredPrewarmCoordinator(name), services.GetRequiredPrewarmSettings(name)))];

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var functionName = context.FunctionDefinition.Name;
        if (gate.IsUngated(functionName))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var waited = false;
        foreach (var (coordinator, settings) in _databases)
        {
            if (coordinator.State == WarmupState.Warm)
            {
                continue;
            }

            waited = true;
            if (!await coordinator.WaitForWarmAsync(context.CancellationToken).ConfigureAwait(false))
            {
                await RejectAsync(context, functionName, coordinator, settings).ConfigureAwait(false);
                return;
            }

            Log.GateWaitedForWarm(logger, functionName, coordinator.Name);
        }

        if (waited)
        {
            metrics.Cold(functionName);
        }
        else
        {
            metrics.Warm(functionName);
        }

        await RunReportingDeadConnectionsAsync(context, next, functionName).ConfigureAwait(false);
    }

    private async Task RejectAsync(FunctionContext context, string functionName, WarmupCoordinator coordinator, PrewarmSettings settings)
    {
        metrics.Rejected(functionName);
        var state = coordinator.State;
        Log.GateRejected(logger, functionName, coordinator.Name, state, settings.GateTimeout.TotalSeconds);
        if (context.GetHttpContext() is { } httpContext)
        {
            await ServiceUnavailable.WriteAsync(httpContext.Response, state, settings.GateTimeout, context.CancellationToken).ConfigureAwait(false);
            return;
        }

        throw new DatabaseNotReadyException(
            $"Function '{functionName}' did not run: the database '{coordinator.Name}' is not warm ({state}) " +
            $"after waiting up to {settings.GateTimeout.TotalSeconds:0.#} s. Its last error is in the coordinator's LastReport and the health check.");
    }

    // A function that meets a dead connection (failover, server restart, idle cut) fails once; telling the library
    // makes it clear the pool and re-warm, so the invocations after it wait at the gate instead of each failing too.
    private async Task RunReportingDeadConnectionsAsync(FunctionContext context, FunctionExecutionDelegate next, string functionName)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            foreach (var (coordinator, _) in _databases)
            {
                if (coordinator.ReportConnectionFailure(ex))
                {
                    Log.GateReportedDeadConnection(logger, functionName, coordinator.Name);
                }
            }

            throw;
        }
    }
}
