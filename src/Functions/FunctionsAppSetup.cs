using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Prewarm.Functions.Gate;
using Prewarm.Functions.Health;
using Prewarm.Functions.Warmup;
using Prewarm.SampleData;

namespace Prewarm.Functions;

// What Program.cs registers, on any IHostApplicationBuilder, so the in-process tests compose the same app on a plain
// host. Two steps, so that Program.cs shows where the warm-up is registered.
internal static class FunctionsAppSetup
{
    public const string ConnectionName = "postgres";

    // The warmed data source: the library's AddPrewarmedNpgsql for ConnectionStrings:postgres and Prewarm:postgres,
    // with the sample's own read as the warm-up work. The app's services are made and registered here, in the
    // composition; the settings callback only sets settings.
    public static void AddPrewarmedPostgres(this IHostApplicationBuilder builder)
    {
        // Prewarm:postgres:PgBouncer is the one switch for transaction pooling: the library reads it for the pool's
        // settings, the query here for whether it prepares. The functions and the warm-up run this one instance.
        var ordersQuery = new OrdersQuery(behindPgBouncer: builder.Configuration.GetValue<bool>($"Prewarm:{ConnectionName}:PgBouncer"));
        builder.Services.TryAddSingleton(ordersQuery);
        var warmupWork = new SampleWarmupWork(ordersQuery);

        PrewarmSettings? bound = null;
        builder.AddPrewarmedNpgsql(
            ConnectionName,
            // KeepAliveInterval stays as configured (library default 2 minutes): the library's background loop is what
            // keeps every instance's pool valid, as Azure runs the KeepAlive timer on one instance at a time.
            settings =>
            {
                bound = settings;
                settings.WarmupWork = warmupWork.RunAsync;
            },
            // Npgsql tags its pool metrics with this name; the default is the connection string.
            dataSource => dataSource.Name = ConnectionName);

        // The settings the library runs with, for the gate's 503 and the start-up checks. Null only when the name was
        // registered before: that first registration stands.
        if (bound is not null)
        {
            builder.Services.AddSingleton(bound);
        }
    }

    // The app's own services: its settings, the gate's metrics, Health's pool reader and the start-up checks.
    public static void AddFunctionsAppServices(this IHostApplicationBuilder builder)
    {
        // Checked here, like the library checks ConnectionStrings:postgres: a bad setting stops the worker at startup
        // with the key to fix. The timer extension, which would reject it too, runs in the host, not in this process.
        builder.Services.AddSingleton(FunctionsAppOptions.Load(builder.Configuration));
        builder.Services.AddSingleton<GateMetrics>();
        builder.Services.AddHostedService<KeepAliveCoverageCheck>();
        builder.Services.AddSingleton(_ => new PoolStatistics(ConnectionName));
    }
}
