using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Prewarm.Diagnostics;

// Warm is healthy; warming is degraded (traffic waits at the gate); a failed warm-up is unhealthy with its
// redacted reason. The connection string is never part of the result.
internal sealed class PrewarmHealthCheck(WarmupCoordinator coordinator, PrewarmSettings settings) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = coordinator.LastReport;
        var data = new Dictionary<string, object>
        {
            ["state"] = coordinator.State.ToString(),
            ["connectionsRequested"] = settings.WarmConnections,
        };
        if (report is not null)
        {
            data["connectionsWarmed"] = report.ConnectionsWarmed;
            data["attempts"] = report.Attempts;
            data["completedAt"] = report.CompletedAt;
        }

        var description = $"'{coordinator.Name}' is {coordinator.State}";
        var result = coordinator.State switch
        {
            WarmupState.Warm => HealthCheckResult.Healthy(description, data),
            WarmupState.Cold or WarmupState.Warming => HealthCheckResult.Degraded(description, data: data),
            _ => new HealthCheckResult(context.Registration.FailureStatus, $"{description}: {report?.LastError ?? "no warm-up has completed"}", data: data),
        };
        return Task.FromResult(result);
    }
}
