using Npgsql;

namespace Prewarm.Warmup;

// How many more connections the server would accept from this role in this database right now. A failed open with
// 53300 is expensive twice over: Npgsql clears the whole pool on it (every connection this pool holds is closed as it
// comes back), and the retry competes with every other instance doing the same. Asking first, on a connection
// already open, lets a pool that found the server full take only what is left.
internal static class ServerCapacity
{
    // max_connections less the slots kept for superusers (reserved_connections exists from PostgreSQL 16), and the
    // role's and the database's own CONNECTION LIMIT, each less the client backends counted against it.
    public const string Sql = """
        SELECT least(
            current_setting('max_connections')::int
                - current_setting('superuser_reserved_connections')::int
                - coalesce(current_setting('reserved_connections', true)::int, 0)
                - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
            (SELECT CASE WHEN r.rolconnlimit < 0 THEN 2147483647
                         ELSE r.rolconnlimit - (SELECT count(*) FROM pg_stat_activity a WHERE a.usesysid = r.oid) END
             FROM pg_roles r WHERE r.rolname = current_user),
            (SELECT CASE WHEN d.datconnlimit < 0 THEN 2147483647
                         ELSE d.datconnlimit - (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid) END
             FROM pg_database d WHERE d.datname = current_database()))::int
        """;

    public static async Task<int> FreeSlotsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(Sql, connection);
        await using var scope = command.ConfigureAwait(false);
        var free = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return free is int slots ? Math.Max(slots, 0) : 0;
    }
}
