using Prewarm.SampleData;

namespace Prewarm.SampleApp;

/// <summary>Twenty orders shaped like the seeded ones, built in memory for the no-database control endpoint.</summary>
internal static class FixedOrders
{
    public static IReadOnlyList<Order> For(int customer)
    {
        var orders = new Order[OrdersQuery.Limit];
        var newest = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < orders.Length; i++)
        {
            orders[i] = new Order(
                Guid.NewGuid(), customer, "paid", newest.AddHours(-i), 19.99m + i, $$"""{"items": {{i + 1}}, "channel": "web"}""");
        }

        return orders;
    }
}
