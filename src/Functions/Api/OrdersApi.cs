using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Npgsql;
using Prewarm.SampleData;

namespace Prewarm.Functions.Api;

/// <summary>
/// The sample API over <c>prewarm_orders</c>: a customer's recent orders (the query the warm-up runs on every
/// connection) and placing an order. Both go through the gate, so they only ever run on a warm pool.
/// </summary>
/// <param name="dataSource">The app's warmed data source.</param>
/// <param name="ordersQuery">The read, prepared or not as <c>Prewarm:postgres:PgBouncer</c> says (FunctionsAppSetup).</param>
public sealed class OrdersApi(NpgsqlDataSource dataSource, OrdersQuery ordersQuery)
{
    /// <summary>GET /api/customers/{customerId}/orders?since=2026-01-01T00:00:00Z: up to 20 orders, newest first.</summary>
    [Function(FunctionNames.GetOrders)]
    public async Task<IResult> GetOrders(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "customers/{customerId:int}/orders")] HttpRequest request,
        int customerId,
        CancellationToken cancellationToken)
    {
        var since = DateTimeOffset.UnixEpoch;
        if (request.Query["since"] is [{ } text] && !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out since))
        {
            return Results.BadRequest("'since' must be an ISO 8601 date and time, e.g. 2026-01-01T00:00:00Z.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var orders = await ordersQuery.RunAsync(connection, customerId, since, cancellationToken);
        return Results.Ok(orders);
    }

    /// <summary>POST /api/customers/{customerId}/orders with <c>{"total": 12.5, "details": {...}}</c>: the stored order.</summary>
    [Function(FunctionNames.PlaceOrder)]
    public async Task<IResult> PlaceOrder(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "customers/{customerId:int}/orders")] HttpRequest request,
        int customerId,
        CancellationToken cancellationToken)
    {
        PlaceOrderRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<PlaceOrderRequest>(cancellationToken);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body is not { Total: > 0 } || body.Details.ValueKind != JsonValueKind.Object)
        {
            return Results.BadRequest("The body must be {\"total\": <positive number>, \"details\": {<object>}}.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var order = await PlaceOrderCommand.RunAsync(connection, customerId, body.Total, body.Details.GetRawText(), cancellationToken);
        return Results.Created($"/api/customers/{customerId}/orders/{order.OrderId}", order);
    }
}

/// <summary>The body of PlaceOrder.</summary>
/// <param name="Total">The order total, positive.</param>
/// <param name="Details">Any JSON object, stored as jsonb.</param>
public sealed record PlaceOrderRequest(decimal Total, JsonElement Details);
