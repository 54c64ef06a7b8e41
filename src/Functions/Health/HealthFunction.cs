using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Prewarm.Functions.Health;

/// <summary>
/// GET /api/health (function key): the warm-up state, the last warm-up and keep-alive reports and the live pool
/// numbers, as JSON. 200 when warm, 503 otherwise, so a probe can use the status alone. Never the connection string.
/// </summary>
public sealed class HealthFunction(WarmupCoordinator coordinator, PoolStatistics pool)
{
    /// <summary>Reports; touches neither the pool nor the database.</summary>
    [Function(FunctionNames.Health)]
    public IResult Run([HttpTrigger(AuthorizationLevel.Function, "get", Route = "health")] HttpRequest request)
    {
        var response = HealthResponse.From(coordinator, pool.Read());
        return Results.Json(
            response,
            HealthResponse.Json,
            statusCode: coordinator.State == WarmupState.Warm ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
