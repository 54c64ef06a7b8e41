using Npgsql;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Consumer.Tests.Infrastructure;

// ACCESS EXCLUSIVE on the fixture's table, which the app's warm-up query reads: while held, the pool is provably
// not warm, with no sleep.
internal sealed class TableLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;

    private TableLock(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<TableLock> AcquireAsync(PostgresFixture postgres)
    {
        var connection = new NpgsqlConnection(postgres.AdminConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("LOCK TABLE prewarm_orders IN ACCESS EXCLUSIVE MODE", connection, transaction);
        await command.ExecuteNonQueryAsync();
        return new TableLock(connection, transaction);
    }

    public async Task ReleaseAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackAsync();
            _transaction = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await _connection.DisposeAsync();
    }
}
