using Npgsql;
using Prewarm.SampleData;

namespace Prewarm.SampleApp;

/// <summary>
/// <c>/orders</c> with the database: the only code that names Npgsql's types on the request path, in a class of its
/// own so the <c>nodb</c> strategy, which never maps it, never makes the JIT load Npgsql.
/// </summary>
internal static class OrdersEndpoint
{
    // Before every seeded row, so a call reads the same ~20 rows the warm-up read.
    private static readonly DateTimeOffset s_since = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void MapOrders(WebApplication app) => app.MapGet("/orders", GetOrdersAsync);

    private static async Task<IResult> GetOrdersAsync(
        NpgsqlDataSource dataSource, OrdersQuery ordersQuery, HttpContext context, CancellationToken ct, int customer = 1)
    {
        // The gate (SampleGate: Prewarm.AspNetCore's UsePrewarmGate) ran before this handler for the prewarm strategy.
        var timing = new ServerTiming();
        timing.Add("gate", SampleGate.Waited(context));
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        timing.Mark("open");
        var orders = await ordersQuery.RunAsync(connection, customer, s_since, ct);
        timing.Mark("query");
        timing.WriteTo(context.Response);
        return Results.Json(orders, SampleJsonContext.Default.IReadOnlyListOrder);
    }
}
