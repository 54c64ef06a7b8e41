using Npgsql;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Infrastructure;

/// <summary>
/// Holds ACCESS EXCLUSIVE on prewarm_orders, which the app's warm-up work (schema check and the orders query) needs:
/// while it is held the warm-up cannot finish, so the pool is provably not warm, with no sleep and no timing.
/// </summary>
internal sealed class TableLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;

    private TableLock(NpgsqlConnection connection) => _connection = connection;

    public static async Task<TableLock> AcquireAsync(PostgresFixture postgres)
    {
        var connection = new NpgsqlConnection(postgres.AdminConnectionString);
        await connection.OpenAsync();
        var tableLock = new TableLock(connection) { _transaction = await connection.BeginTransactionAsync() };
        await using var command = new NpgsqlCommand("LOCK TABLE prewarm_orders IN ACCESS EXCLUSIVE MODE", connection, tableLock._transaction);
        await command.ExecuteNonQueryAsync();
        return tableLock;
    }

    public async Task ReleaseAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackAsync();
            await _transaction.DisposeAsync();
            _transaction = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _connection.DisposeAsync();
    }
}
