using System.Text.Json;
using System.Text.Json.Serialization;

namespace Prewarm.Functions.Health;

// What Health returns: the library's own reports, serialized as they are, so a field the library adds shows up here
// without a copy to keep in step. They carry redacted errors and no connection string; nothing here reads settings,
// so nothing here can leak one.
internal sealed record HealthResponse(string Name, WarmupState State, PoolNumbers? Pool, WarmupReport? LastWarmup, KeepAliveReport? LastKeepAlive)
{
    // ASP.NET Core's web defaults (camelCase) plus enum names instead of numbers: states ("Warm"). TimeSpans keep System.Text.Json's constant format ("00:00:00.0421337").
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static HealthResponse From(WarmupCoordinator coordinator, PoolNumbers? pool) =>
        new(coordinator.Name, coordinator.State, pool, coordinator.LastReport, coordinator.LastKeepAlive);
}
