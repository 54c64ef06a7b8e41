using System.Diagnostics;
using Npgsql;
using Prewarm.SampleData;

namespace Prewarm.SampleApp;

/// <summary>Registers the data source the way each strategy would in a real app.</summary>
internal static class SampleDatabase
{
    public const string ConnectionName = "postgres";

    public static void AddSampleDatabase(this WebApplicationBuilder builder, StartupStrategy strategy)
    {
        if (strategy == StartupStrategy.Prewarm)
        {
            var warmConnections = builder.Configuration.GetValue("SampleApp:WarmConnections", 8);
            // Background (the default, as in Functions): Kestrel accepts at once and /orders waits at the gate.
            // BlockUntilWarm: the warm-up's hosted service starts before Kestrel, so nothing is accepted until warm, like a readiness probe.
            var startupMode = builder.Configuration.GetValue("SampleApp:StartupMode", PrewarmStartupMode.Background);
            // Exactly what src/Functions does: the app's real query is the warm-up work, so statements are prepared before
            // traffic; behind PgBouncer (Prewarm:postgres:PgBouncer) the same switch makes the query skip preparing. The
            // query is registered here, in the composition; the settings callback only sets settings.
            var ordersQuery = new OrdersQuery(behindPgBouncer: builder.Configuration.GetValue<bool>($"Prewarm:{ConnectionName}:PgBouncer"));
            builder.Services.AddSingleton(ordersQuery);
            builder.Services.AddSingleton(new WarmupPhases());
            builder.AddPrewarmedNpgsql(ConnectionName, settings =>
            {
                settings.WarmConnections = warmConnections;
                settings.WarmupWork = ordersQuery.WarmAsync;
                settings.StartupMode = startupMode;
            });
            return;
        }

        // The baselines take the connection string as given: what an app without the library would do. They have no
        // PgBouncer switch and the lab always points them at PostgreSQL itself, so their query prepares, as the benchmark expects.
        builder.Services.AddSingleton(new OrdersQuery(behindPgBouncer: false));
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is required.");
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
    }

    /// <summary>The <c>select1</c> strategy's startup hook; it runs before Kestrel accepts, as a lifespan hook would.</summary>
    public static async Task RunStartupWorkAsync(this WebApplication app)
    {
        var started = Stopwatch.GetTimestamp();
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var command = new NpgsqlCommand("SELECT 1", connection))
        {
            await command.ExecuteScalarAsync();
        }

        var timings = app.Services.GetRequiredService<StartupTimings>();
        timings.WarmupWallTime = Stopwatch.GetElapsedTime(started);
        timings.ReadyAt = DateTimeOffset.UtcNow;
    }
}
