using Microsoft.AspNetCore.Http;
using Prewarm.Gates;

namespace Prewarm.AspNetCore;

// The readiness answer for probes and App Service's WEBSITE_WARMUP_PATH: the coordinator's state now, never a wait, so
// a probe's own timeout (Kubernetes' default is 1 s) cannot be hit whatever the startup mode. The body is the state
// only: the last error stays in the logs and the health check, which redact it.
internal static class ReadinessEndpoint
{
    public static RequestDelegate For(Lazy<WarmupCoordinator> lazy, PrewarmSettings settings) => context =>
    {
        var coordinator = lazy.Value;
        var state = coordinator.State;
        if (state != WarmupState.Warm)
        {
            return ServiceUnavailable.WriteAsync(context.Response, state, settings.GateTimeout, context.RequestAborted);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync($"'{coordinator.Name}' is {state}.", context.RequestAborted);
    };
}
