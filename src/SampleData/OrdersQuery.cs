using Npgsql;
using NpgsqlTypes;

namespace Prewarm.SampleData;

/// <summary>
/// The realistic read: a customer's recent orders. The Functions app and the lab's sample app both run it,
/// and both use <see cref="WarmAsync"/> as warm-up work so the real query path (parse, plan, type loading) is warm.
/// </summary>
public static class OrdersQuery
{
    /// <summary>At most this many rows come back.</summary>
    public const int Limit = 20;

    /// <summary>The SQL: <c>$1</c> is the customer (<c>int</c>), <c>$2</c> the lower bound (<c>timestamptz</c>).</summary>
    public const string Sql = """
        SELECT order_id, customer_id, status, placed_at, total, details
        FROM prewarm_orders
        WHERE customer_id = $1 AND placed_at >= $2
        ORDER BY placed_at DESC
        LIMIT 20
        """;

    // A seeded customer and a bound before every seeded row: the warm-up reads the same 20 rows a real call would.
    private const int WarmupCustomerId = 1;
    private static readonly DateTimeOffset s_warmupSince = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Reads the customer's orders placed at or after <paramref name="since"/>, newest first.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="customerId">The customer.</param>
    /// <param name="since">The lower bound; any offset, sent as UTC.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>Up to <see cref="Limit"/> orders.</returns>
    public static async Task<IReadOnlyList<Order>> RunAsync(
        NpgsqlConnection connection, int customerId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = new NpgsqlCommand(Sql, connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = customerId });
            // Npgsql writes only UTC DateTimeOffsets to timestamptz.
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });

            // Prepared statements live on the physical connection: after WarmAsync ran on it this is a lookup, not a round trip.
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);

            var orders = new List<Order>(Limit);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    orders.Add(OrderReader.Read(reader));
                }
            }

            return orders;
        }
    }

    /// <summary>Runs the query once with representative parameters; meant as a pool's warm-up work.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>A task that completes when the rows were read.</returns>
    public static async Task WarmAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
        => _ = await RunAsync(connection, WarmupCustomerId, s_warmupSince, cancellationToken).ConfigureAwait(false);
}
