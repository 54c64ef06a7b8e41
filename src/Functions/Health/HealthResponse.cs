namespace Prewarm.Functions.Health;

// What Health returns. Built from the library's reports, which carry redacted errors and no connection string;
// nothing here reads settings, so nothing here can leak one.
internal sealed record HealthResponse(
    string Name,
    string State,
    int WarmConnections,
    PoolNumbers? Pool,
    WarmupSummary? LastWarmup,
    KeepAliveSummary? LastKeepAlive)
{
    public static HealthResponse From(WarmupCoordinator coordinator, PoolNumbers? pool) => new(
        coordinator.Name,
        coordinator.State.ToString(),
        coordinator.WarmConnections,
        pool,
        coordinator.LastReport is { } r
            ? new WarmupSummary(
                r.State.ToString(), r.ConnectionsRequested, r.ConnectionsWarmed, r.Attempts, r.Duration.TotalMilliseconds,
                r.Phases.ToDictionary(p => p.Key, p => p.Value.TotalMilliseconds), r.LastError, r.SqlState, r.CompletedAt)
            : null,
        coordinator.LastKeepAlive is { } k
            ? new KeepAliveSummary(k.State.ToString(), k.Validated, k.Replaced, k.Retired, k.Opened, k.Connections, k.Duration.TotalMilliseconds, k.LastError, k.CompletedAt)
            : null);
}

internal sealed record WarmupSummary(
    string State,
    int ConnectionsRequested,
    int ConnectionsWarmed,
    int Attempts,
    double DurationMs,
    IReadOnlyDictionary<string, double> PhasesMs,
    string? LastError,
    string? SqlState,
    DateTimeOffset CompletedAt);

internal sealed record KeepAliveSummary(
    string State,
    int Validated,
    int Replaced,
    int Retired,
    int Opened,
    int Connections,
    double DurationMs,
    string? LastError,
    DateTimeOffset CompletedAt);
