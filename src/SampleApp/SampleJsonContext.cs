using System.Text.Json;
using System.Text.Json.Serialization;
using Prewarm.SampleData;

namespace Prewarm.SampleApp;

/// <summary>What <c>/startup</c> returns; the lab reads <c>warmupMs</c>, <c>openMs</c> and <c>workMs</c>.</summary>
internal sealed record StartupReport(string Strategy, double? WarmupMs, double? OpenMs, double? WorkMs, string? State, int? ConnectionsWarmed);

// Source-generated serialisation: reflection-based JSON would add its own first-call cost that has nothing to do with the database.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<Order>))]
[JsonSerializable(typeof(StartupReport))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
