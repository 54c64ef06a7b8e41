using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Prewarm.Gates;

namespace Prewarm.AspNetCore;

// The readiness gate every request passes, the ASP.NET Core twin of the worker package's middleware: waits up to
// GateTimeout for the k-th warm connection (WaitForWarmAsync), then answers 503 with Retry-After instead of letting the
// request meet Npgsql's connect timeout. A request that fails on a dead connection is reported to the library, which
// re-warms while the next requests wait here. One instance per app (UsePrewarmGate adds names to it). A name is checked
// when UsePrewarmGate runs, so one AddPrewarmedNpgsql never registered stops Program.cs there; its coordinator is
// resolved at the first request, because it exists only once the warm-up's thread has built the data source, and
// waiting for that in Program.cs would put the build back on the app's start-up path.
internal sealed class PrewarmGate(ILogger logger)
{
    // The key under which the app's builder keeps its one gate (IApplicationBuilder.Properties).
    public const string PropertyKey = "Prewarm.AspNetCore.PrewarmGate";

    private readonly List<(Lazy<WarmupCoordinator> Coordinator, PrewarmSettings Settings)> _databases = [];

    // One registration has one settings object: the same name added twice is one entry.
    public void Add(Lazy<WarmupCoordinator> coordinator, PrewarmSettings settings)
    {
        if (!_databases.Exists(d => ReferenceEquals(d.Settings, settings)))
        {
            _databases.Add((coordinator, settings));
        }
    }

    public RequestDelegate Wrap(RequestDelegate next) => context => InvokeAsync(context, next);

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<DisablePrewarmGateMetadata>() is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        foreach (var (lazy, settings) in _databases)
        {
            var coordinator = lazy.Value;
            if (coordinator.State != WarmupState.Warm && !await coordinator.WaitForWarmAsync(context.RequestAborted).ConfigureAwait(false))
            {
                var state = coordinator.State;
                Log.GateRejected(logger, context.Request.Path, coordinator.Name, state, settings.GateTimeout.TotalSeconds);
                await ServiceUnavailable.WriteAsync(context.Response, state, settings.GateTimeout, context.RequestAborted).ConfigureAwait(false);
                return;
            }
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A dead connection (failover, server restart, idle cut) fails this request once; telling the library makes
            // it clear the pool and re-warm, so the requests after it wait here instead of each failing too.
            foreach (var (lazy, _) in _databases)
            {
                var coordinator = lazy.Value;
                if (coordinator.ReportConnectionFailure(ex))
                {
                    Log.GateReportedDeadConnection(logger, context.Request.Path, coordinator.Name);
                }
            }

            throw;
        }
    }
}

// Endpoint metadata: the gate lets the endpoint through at once (DisablePrewarmGate, the readiness endpoint).
internal sealed class DisablePrewarmGateMetadata
{
    public static readonly DisablePrewarmGateMetadata Instance = new();
}
