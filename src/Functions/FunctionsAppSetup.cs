using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prewarm.Functions.Gate;
using Prewarm.Functions.Health;
using Prewarm.Functions.Warmup;
using Prewarm.SampleData;

namespace Prewarm.Functions;

// Everything the app registers, on any IHostApplicationBuilder: Program.cs calls it on the Functions builder, the
// tests on a plain HostApplicationBuilder, so both run the same composition.
internal static class FunctionsAppSetup
{
    public const string ConnectionName = "postgres";

    public static void AddPrewarmFunctionsApp(this IHostApplicationBuilder builder)
    {
        // Checked here, like the library checks ConnectionStrings:postgres: a bad setting stops the worker at startup
        // with the key to fix. The timer extension, which would reject it too, runs in the host, not in this process.
        var options = FunctionsAppOptions.Load(builder.Configuration);
        builder.Services.AddSingleton(options);

        builder.AddPrewarmedNpgsql(
            ConnectionName,
            settings =>
            {
                // Runs once, while the app is built, on the bound section: Prewarm:postgres:PgBouncer, the one switch
                // for transaction pooling, decides both the pool's settings and whether the sample query prepares.
                var ordersQuery = new OrdersQuery(behindPgBouncer: settings.PgBouncer);
                builder.Services.AddSingleton(ordersQuery);
                settings.WarmupWork = new SampleWarmupWork(ordersQuery).RunAsync;
                // KeepAliveInterval stays as configured (library default 2 minutes): the library's background loop is
                // what keeps every instance's pool valid. The KeepAlive timer cannot: Azure runs a timer trigger on one
                // instance of a scaled-out app at a time (blob lease), so the others would get no pass at all.
                builder.Services.AddSingleton(settings);
            },
            // Npgsql tags its pool metrics with this name; the default is the connection string.
            dataSource => dataSource.Name = ConnectionName);

        builder.Services.AddSingleton<GateMetrics>();
        builder.Services.AddHostedService<KeepAliveCoverageCheck>();
        builder.Services.AddSingleton(_ => new PoolStatistics(ConnectionName));
    }
}
