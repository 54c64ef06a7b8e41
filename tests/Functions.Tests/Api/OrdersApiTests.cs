using Prewarm.Functions.Api;
using Prewarm.Functions.Tests.Doubles;
using Prewarm.Functions.Tests.Infrastructure;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Api;

// Doubles: FunctionsAppHost stands in for the worker host, HttpExchange for the proxied request (route values are
// passed as the method arguments the worker would bind). The functions, SampleData and PostgreSQL are real.
[Collection(PostgresTests.Name)]
public sealed class OrdersApiTests(PostgresFixture postgres)
{
    [Fact]
    public async Task GetOrders_SeededCustomer_ReturnsTwentyNewestFirst()
    {
        await using var app = await FunctionsAppHost.StartWarmAsync(postgres);
        var http = new HttpExchange(app.Services);
        await http.ExecuteAsync(await app.Function<OrdersApi>().GetOrders(http.Request, 7, CancellationToken.None));

        Assert.Equal(200, http.Status);
        var orders = http.Json.EnumerateArray().ToList();
        Assert.Equal(20, orders.Count);
        Assert.All(orders, o => Assert.Equal(7, o.GetProperty("customerId").GetInt32()));
        var placed = orders.Select(o => o.GetProperty("placedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(placed.OrderDescending(), placed);
    }

    [Fact]
    public async Task PlaceOrder_ThenGetOrdersSince_ReturnsTheNewOrder()
    {
        await using var app = await FunctionsAppHost.StartWarmAsync(postgres);
        var customer = 1000 + Random.Shared.Next(1_000_000);
        var post = new HttpExchange(app.Services, "POST", jsonBody: """{"total": 12.34, "details": {"items": 2, "channel": "test"}}""");
        await post.ExecuteAsync(await app.Function<OrdersApi>().PlaceOrder(post.Request, customer, CancellationToken.None));

        Assert.Equal(201, post.Status);
        var orderId = post.Json.GetProperty("orderId").GetGuid();

        var get = new HttpExchange(app.Services, query: "?since=2026-01-01T00:00:00Z");
        await get.ExecuteAsync(await app.Function<OrdersApi>().GetOrders(get.Request, customer, CancellationToken.None));
        var order = Assert.Single(get.Json.EnumerateArray());
        Assert.Equal(orderId, order.GetProperty("orderId").GetGuid());
        Assert.Equal(12.34m, order.GetProperty("total").GetDecimal());
        Assert.Contains("\"channel\": \"test\"", order.GetProperty("details").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"total": -1, "details": {}}""")]
    [InlineData("""{"total": 5, "details": 3}""")]
    [InlineData("not json")]
    public async Task PlaceOrder_BadBody_Returns400(string body)
    {
        await using var app = await FunctionsAppHost.StartWarmAsync(postgres);
        var post = new HttpExchange(app.Services, "POST", jsonBody: body);
        await post.ExecuteAsync(await app.Function<OrdersApi>().PlaceOrder(post.Request, 1, CancellationToken.None));
        Assert.Equal(400, post.Status);
    }
}
