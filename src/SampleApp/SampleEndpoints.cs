using Npgsql;
using Prewarm.SampleData;

namespace Prewarm.SampleApp;

internal static class SampleEndpoints
{
    // Before every seeded row, so a call reads the same ~20 rows the warm-up read.
    private static readonly DateTimeOffset s_since = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void MapSampleEndpoints(this WebApplication app)
    {
        // Touches no database: the lab polls it to learn when the app accepts traffic, and checks the id it started the app with.
        var instanceId = app.Configuration["SampleApp:InstanceId"] ?? "pong";
        app.MapGet("/ping", () => instanceId);
        app.MapGet("/orders", GetOrdersAsync);
        // The lab's control: the same binding and JSON with no database, so a first call shows the app-side floor.
        app.MapGet("/orders/no-db", GetOrdersWithoutDatabase);
        app.MapGet("/startup", GetStartup);
    }

    private static async Task<IResult> GetOrdersAsync(
        NpgsqlDataSource dataSource, OrdersQuery ordersQuery, IServiceProvider services, HttpContext context, CancellationToken ct, int customer = 1)
    {
        // The gate (SampleGate) ran before this handler; services stays bound, as /orders/no-db binds it too.
        _ = services;
        var timing = new ServerTiming();
        timing.Add("gate", SampleGate.Waited(context));
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        timing.Mark("open");
        var orders = await ordersQuery.RunAsync(connection, customer, s_since, ct);
        timing.Mark("query");
        timing.WriteTo(context.Response);
        return Results.Json(orders, SampleJsonContext.Default.IReadOnlyListOrder);
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
            report?.ConnectionsWarmed);
        return Results.Json(body, SampleJsonContext.Default.StartupReport);
    }
}
