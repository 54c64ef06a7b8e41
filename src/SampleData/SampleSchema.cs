using Npgsql;

namespace Prewarm.SampleData;

/// <summary>The sample schema (<c>Schema/orders.sql</c>): table, index and seed rows.</summary>
public static class SampleSchema
{
    // Any constant shared by every process that creates the schema; CREATE TABLE IF NOT EXISTS alone races
    // (two sessions can both pass the check and one fails on pg_type's unique index).
    private const string LockSql = "SELECT pg_advisory_xact_lock(5795913203262500096)";

    private static readonly Lazy<string> s_sql = new(ReadEmbeddedSql);

    /// <summary>The idempotent SQL that creates and seeds <c>prewarm_orders</c>.</summary>
    public static string Sql => s_sql.Value;

    /// <summary>Creates and seeds the table if it is missing; safe to call concurrently from several processes.</summary>
    /// <param name="dataSource">The data source to run on.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the schema exists.</returns>
    public static async Task EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await EnsureAsync(connection, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>As <see cref="EnsureAsync(NpgsqlDataSource, CancellationToken)"/>, on a connection the caller holds open (warm-up work, say).</summary>
    /// <param name="connection">An open connection with no transaction in progress.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the schema exists.</returns>
    public static async Task EnsureAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            // Without parameters Npgsql sends both statements in one simple-protocol round trip, in order.
            var command = new NpgsqlCommand(LockSql + ";\n" + Sql, connection, transaction);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static string ReadEmbeddedSql()
    {
        using var stream = typeof(SampleSchema).Assembly.GetManifestResourceStream("Prewarm.SampleData.orders.sql")
            ?? throw new InvalidOperationException("The embedded resource Prewarm.SampleData.orders.sql is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
