using Npgsql;
using NpgsqlTypes;

namespace Prewarm.SampleData;

/// <summary>The sample write: inserts one order and returns it as stored.</summary>
public static class PlaceOrderCommand
{
    /// <summary>The SQL: customer (<c>int</c>), total (<c>numeric</c>), details (<c>jsonb</c>); id and time are the server's.</summary>
    public const string Sql = """
        INSERT INTO prewarm_orders (order_id, customer_id, status, placed_at, total, details)
        VALUES (gen_random_uuid(), $1, 'placed', now(), $2, $3)
        RETURNING order_id, customer_id, status, placed_at, total, details
        """;

    /// <summary>Inserts an order for <paramref name="customerId"/>.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="customerId">The customer.</param>
    /// <param name="total">The total; stored with two decimals.</param>
    /// <param name="detailsJson">A JSON object, stored as <c>jsonb</c>.</param>
    /// <param name="cancellationToken">Cancels the insert.</param>
    /// <returns>The stored order.</returns>
    public static async Task<Order> RunAsync(
        NpgsqlConnection connection, int customerId, decimal total, string detailsJson, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(detailsJson);
        var command = new NpgsqlCommand(Sql, connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = customerId });
            command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = total });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = detailsJson, NpgsqlDbType = NpgsqlDbType.Jsonb });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                return OrderReader.Read(reader);
            }
        }
    }
}
