using System.Text.Json;
using System.Text.Json.Serialization;
using Prewarm.SampleData;

namespace Prewarm.SampleApp;

/// <summary>
/// What <c>/startup</c> returns. <c>firstReadyAt</c>/<c>allReadyAt</c> are wall-clock times (the lab subtracts the
/// moment it started the process): when one warm connection, and when all of them, sat idle in the pool.
/// <c>processorCount</c> shows the lab's pinning took; <c>npgsqlLoaded</c> that <c>nodb</c> never loaded Npgsql.
/// </summary>
internal sealed record StartupReport(
    string Strategy,
    double? WarmupMs,
    double? OpenMs,
    double? WorkMs,
    DateTimeOffset? FirstReadyAt,
    DateTimeOffset? AllReadyAt,
    string? State,
    int? ConnectionsWarmed,
    int ProcessorCount,
    bool NpgsqlLoaded);

// Source-generated serialisation: reflection-based JSON would add its own first-call cost that has nothing to do with the database.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<Order>))]
[JsonSerializable(typeof(StartupReport))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
