namespace Prewarm.SampleApp;

internal static class SampleEndpoints
{
    public static void MapSampleEndpoints(this WebApplication app, StartupStrategy strategy)
    {
        // Touches no database: the lab polls it to learn when the app accepts traffic, and checks the id it started the app with.
        var instanceId = app.Configuration["SampleApp:InstanceId"] ?? "pong";
        app.MapGet("/ping", () => instanceId);
        if (strategy == StartupStrategy.NoDb)
        {
            // The nodb strategy: the same path, binding and JSON, no database.
            app.MapGet("/orders", GetOrdersWithoutDatabase);
        }
        else
        {
            OrdersEndpoint.MapOrders(app);
        }

        // The same answer beside a database, for a look at the app-side floor on any strategy.
        app.MapGet("/orders/no-db", GetOrdersWithoutDatabase);
        app.MapGet("/startup", GetStartup);
    }

    private static IResult GetOrdersWithoutDatabase(IServiceProvider services, HttpContext context, CancellationToken ct, int customer = 1)
    {
        // Bound but unused: binding them is part of the work the control must share with /orders.
        _ = (services, ct);
        var timing = new ServerTiming();
        var orders = FixedOrders.For(customer);
        timing.Mark("query");
        timing.WriteTo(context.Response);
        return Results.Json(orders, SampleJsonContext.Default.IReadOnlyListOrder);
    }

    private static IResult GetStartup(StartupTimings timings, IServiceProvider services)
    {
        // Read before anything below could load it: whether the app ever loaded Npgsql (nodb must not).
        var npgsqlLoaded = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Npgsql");
        var report = services.GetService<WarmupCoordinator>()?.LastReport;
        var wallTime = report?.Duration ?? timings.WarmupWallTime;
        // The report's times count from the start of its run, which began Duration before CompletedAt.
        var runStarted = report is null ? (DateTimeOffset?)null : report.CompletedAt - report.Duration;
        var body = new StartupReport(
            timings.Strategy.ToString(),
            wallTime?.TotalMilliseconds,
            services.GetService<WarmupPhases>()?.Milliseconds("open"),
            services.GetService<WarmupPhases>()?.Milliseconds("work"),
            runStarted + report?.FirstConnectionReady ?? timings.ReadyAt,
            runStarted + report?.AllConnectionsReady ?? timings.ReadyAt,
            report?.State.ToString(),
            report?.ConnectionsWarmed,
            // The runtime reads the affinity mask at start: 1 when the lab pinned the app to one core.
            Environment.ProcessorCount,
            npgsqlLoaded);
        return Results.Json(body, SampleJsonContext.Default.StartupReport);
    }
}
