using Npgsql;
using NpgsqlTypes;

namespace Prewarm.SampleData;

/// <summary>
/// The realistic read: a customer's recent orders. The Functions app and the lab's sample app both run it, and both
/// use <see cref="WarmAsync"/> as warm-up work so the real query path (parse, plan, type loading) is warm.
/// </summary>
/// <remarks>
/// Create one per data source in the app's composition, from the key that configures the pool:
/// <c>new OrdersQuery(behindPgBouncer: configuration.GetValue&lt;bool&gt;("Prewarm:postgres:PgBouncer"))</c>.
/// </remarks>
public sealed class OrdersQuery
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

    /// <summary>Creates the query for connections that reach PostgreSQL directly or through PgBouncer.</summary>
    /// <param name="behindPgBouncer">
    /// The connections go through PgBouncer in transaction mode: pass the library's <c>PrewarmSettings.PgBouncer</c>
    /// (<c>Prewarm:{name}:PgBouncer</c>). Then the query is not prepared, see <see cref="Prepares"/>.
    /// </param>
    public OrdersQuery(bool behindPgBouncer) => Prepares = !behindPgBouncer;

    /// <summary>
    /// Whether <see cref="RunAsync"/> prepares the statement. Directly on PostgreSQL it does: the prepared statement
    /// lives on the physical connection, so after <see cref="WarmAsync"/> ran there a request skips parse and plan.
    /// Behind PgBouncer in transaction mode it does not: each transaction may land on another server connection, where
    /// the statement is missing (26000) or another client's <c>_p1</c> already exists (42P05). PgBouncer 1.21+ with
    /// <c>max_prepared_statements</c> above 0 could carry them, but 1.18 cannot, Azure's built-in one has it at 0 by
    /// default, and the library refuses <c>Max Auto Prepare</c> in that mode for the same reason.
    /// </summary>
    public bool Prepares { get; }

    /// <summary>Reads the customer's orders placed at or after <paramref name="since"/>, newest first.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="customerId">The customer.</param>
    /// <param name="since">The lower bound; any offset, sent as UTC.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>Up to <see cref="Limit"/> orders.</returns>
    public async Task<IReadOnlyList<Order>> RunAsync(
        NpgsqlConnection connection, int customerId, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = new NpgsqlCommand(Sql, connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = customerId });
            // Npgsql writes only UTC DateTimeOffsets to timestamptz.
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });

            if (Prepares)
            {
                // After WarmAsync ran on this physical connection this is a lookup, not a round trip.
                await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            }

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

    /// <summary>
    /// Runs the query once with representative parameters; meant as a pool's warm-up work. Unprepared (behind
    /// PgBouncer) it still warms the connection, Npgsql's type loading for every column, the JIT of this path and
    /// PgBouncer's server connections; only the server-side plan is not kept.
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>A task that completes when the rows were read.</returns>
    public async Task WarmAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
        => _ = await RunAsync(connection, WarmupCustomerId, s_warmupSince, cancellationToken).ConfigureAwait(false);
}
