using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Prewarm.Functions.Gate;

// The readiness gate every invocation passes. The Warmup trigger is only a hint (it does not fire on Consumption or
// on restarts, and requests can arrive before it ends: azure-functions-host #9737, #9181), so the function bodies
// must not be the first to touch a cold pool. Waits up to GateTimeout for Warm; then an HTTP caller gets a 503 with
// Retry-After instead of a 500 after Npgsql's connect timeout, and any other trigger fails fast with a clear exception.
// A function that fails on a dead connection is reported to the library, which re-warms while later invocations wait.
// UseMiddleware<T> registers it as a singleton: it holds no per-invocation state. The settings are the ones the library
// was configured with (FunctionsAppSetup registers them), read here for the wait the 503 and the error report.
internal sealed class WarmupGateMiddleware(WarmupCoordinator coordinator, PrewarmSettings settings, GateMetrics metrics, ILogger<WarmupGateMiddleware> logger)
    : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var functionName = context.FunctionDefinition.Name;
        if (FunctionNames.BypassGate(functionName))
        {
            await next(context);
            return;
        }

        var warmOnArrival = coordinator.State == WarmupState.Warm;
        if (warmOnArrival || await coordinator.WaitForWarmAsync(context.CancellationToken))
        {
            if (warmOnArrival)
            {
                metrics.Warm(functionName);
            }
            else
            {
                metrics.Cold(functionName);
                Log.GateWaitedForWarm(logger, functionName, coordinator.Name);
            }

            await RunReportingDeadConnectionsAsync(context, next, functionName);
            return;
        }

        metrics.Rejected(functionName);
        var state = coordinator.State;
        Log.GateRejected(logger, functionName, coordinator.Name, state, settings.GateTimeout.TotalSeconds);
        if (context.GetHttpContext() is { } httpContext)
        {
            await WriteServiceUnavailableAsync(httpContext.Response, state, context.CancellationToken);
            return;
        }

        throw new DatabaseNotReadyException(
            $"Function '{functionName}' did not run: the database '{coordinator.Name}' is not warm ({state}) " +
            $"after waiting up to {settings.GateTimeout.TotalSeconds:0.#} s. Its last error is in the Health function.");
    }

    // A function that meets a dead connection (failover, server restart, idle cut) fails once; telling the library
    // makes it clear the pool and re-warm, so the invocations after it wait at the gate instead of each failing too.
    private async Task RunReportingDeadConnectionsAsync(FunctionContext context, FunctionExecutionDelegate next, string functionName)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            if (coordinator.ReportConnectionFailure(ex))
            {
                Log.GateReportedDeadConnection(logger, functionName, coordinator.Name);
            }

            throw;
        }
    }

    private async Task WriteServiceUnavailableAsync(HttpResponse response, WarmupState state, CancellationToken cancellationToken)
    {
        // A client that retries after the gate timeout finds either a warm pool or a decided failure, not the same wait.
        var retryAfterSeconds = Math.Max(1, (int)Math.Ceiling(settings.GateTimeout.TotalSeconds));
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(
            $"The database is not ready yet (warm-up state: {state}). Retry after {retryAfterSeconds} s.", cancellationToken);
    }
}
