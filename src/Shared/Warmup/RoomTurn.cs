using Npgsql;

namespace Prewarm.Warmup;

// A top-up turn: the right to open connections beyond the first, one instance at a time, with the server's free slots
// read under the same lock. Npgsql clears the whole pool when an open is refused for want of room (53300), so a top-up
// that raced another instance for the last slot would cost every warm connection the pool holds. The lock is taken on
// a connection the pool already holds, so a turn costs the server no slot, and released before that connection goes
// back to the pool, where Npgsql's reset would only drop it at the connection's next use. The warm-up waits for it (its
// first connection is not serving yet); a keep-alive pass does not (the next pass tries again), because its holder may
// be the only connection requests have.
internal sealed class RoomTurn : IAsyncDisposable
{
    // The key is shared by every instance of every app that uses this library on the database: (0x50726577, 0x546F7055),
    // 'Prew' 'TopU'. The free slots are those ServerCapacity counts, read in the same round trip.
    private const string TryTakeSql = "SELECT pg_try_advisory_lock(1349674359, 1416589397), (" + ServerCapacity.Sql + ")";

    // Waiting, bounded by lock_timeout (a 55P03 when it runs out): the server queues the waiters in order, so instances
    // warming up together take their turns one after another instead of retrying against each other.
    private const string WaitSql = "SELECT set_config('lock_timeout', '1s', false); SELECT pg_advisory_lock(1349674359, 1416589397) IS NOT NULL, (" + ServerCapacity.Sql + ")";
    private const string ReleaseSql = "SELECT pg_advisory_unlock(1349674359, 1416589397); RESET lock_timeout";

    private readonly NpgsqlConnection _holder;

    private RoomTurn(NpgsqlConnection holder, int freeSlots)
    {
        _holder = holder;
        FreeSlots = freeSlots;
    }

    /// <summary>Free slots on the server when the turn began.</summary>
    public int FreeSlots { get; }

    /// <summary>
    /// Takes the turn on <paramref name="holder"/>, which must stay open until the turn is disposed; null when another
    /// instance has it (and, with <paramref name="wait"/>, still had it a second later).
    /// </summary>
    public static async Task<RoomTurn?> TakeAsync(NpgsqlConnection holder, bool wait, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(wait ? WaitSql : TryTakeSql, holder);
        await using (command.ConfigureAwait(false))
        {
            try
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (wait)
                    {
                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    return reader.GetBoolean(0) ? new RoomTurn(holder, Math.Max(reader.GetInt32(1), 0)) : null;
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                return null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        var command = new NpgsqlCommand(ReleaseSql, _holder);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
