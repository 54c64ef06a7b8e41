namespace Prewarm.SampleData;

/// <summary>One row of <c>prewarm_orders</c>.</summary>
/// <param name="OrderId">The <c>uuid</c> primary key.</param>
/// <param name="CustomerId">The <c>int</c> customer the order belongs to.</param>
/// <param name="Status">The <c>text</c> status: placed, paid, shipped or delivered.</param>
/// <param name="PlacedAt">The <c>timestamptz</c> the order was placed, in UTC.</param>
/// <param name="Total">The <c>numeric(12,2)</c> total.</param>
/// <param name="Details">The <c>jsonb</c> details, as JSON text.</param>
public sealed record Order(Guid OrderId, int CustomerId, string Status, DateTimeOffset PlacedAt, decimal Total, string Details);
