using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Prewarm.Functions.Health;
using Prewarm.Functions.Warmup;
using Prewarm.SampleData;

namespace Prewarm.Functions;

// The sample's own services, on any IHostApplicationBuilder, so the in-process tests compose the same app on a plain
// host. Everything Prewarm does is in Program.cs, through the packages' public API only.
internal static class FunctionsAppSetup
{
    public const string ConnectionName = "postgres";

    // The sample API's query (one instance for the functions and the warm-up), Health's pool reader, and the warm-up
    // work to hand to AddPrewarmedNpgsql: the sample's own read on every warmed connection.
    public static Func<NpgsqlConnection, CancellationToken, Task> AddSampleServices(this IHostApplicationBuilder builder)
    {
        // Prewarm:postgres:PgBouncer is the one switch for transaction pooling: the library reads it for the pool's
        // settings, the query here for whether it prepares.
        var ordersQuery = new OrdersQuery(behindPgBouncer: builder.Configuration.GetValue<bool>($"Prewarm:{ConnectionName}:PgBouncer"));
        builder.Services.TryAddSingleton(ordersQuery);
        builder.Services.AddSingleton(_ => new PoolStatistics(ConnectionName));
        return new SampleWarmupWork(ordersQuery).RunAsync;
    }
}
