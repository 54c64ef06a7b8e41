using Npgsql;

namespace Prewarm.Warmup;

// Takes N connections out of the pool at once (so every idle one is looked at), pings each, and swaps the dead
// for fresh ones. Npgsql hands out idle connectors without checking them, so without this pass the first request
// after a server restart or an idle cut by a load balancer is the one that finds the corpse.
internal sealed class KeepAlivePass(NpgsqlDataSource dataSource, PrewarmSettings settings, ConnectionWarmer warmer)
{
    private readonly Lock _lock = new();
    private HashSet<int> _knownPids = [];

    public void Remember(IEnumerable<int> pids)
    {
        lock (_lock)
        {
            _knownPids = [.. pids];
        }
    }

    public async ValueTask<KeepAliveCounts> RunAsync(CancellationToken cancellationToken)
    {
        HashSet<int> known;
        lock (_lock)
        {
            known = _knownPids;
        }

        int validated = 0, replaced = 0, opened = 0;
        var connections = new NpgsqlConnection?[settings.WarmConnections];
        try
        {
            await warmer.ForEachConnectionAsync(connections.Length, async (i, ct) =>
            {
                // Every dead idle connector taken from the pool is discarded, so this ends after at most N tries.
                for (var attempt = 0; attempt <= settings.WarmConnections; attempt++)
                {
                    var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                    var isNew = !known.Contains(connection.ProcessID);
                    if (isNew)
                    {
                        Interlocked.Increment(ref opened);
                    }

                    if (await PingAsync(connection, ct).ConfigureAwait(false))
                    {
                        connections[i] = connection;
                        if (!isNew)
                        {
                            Interlocked.Increment(ref validated);
                        }

                        return;
                    }

                    Interlocked.Increment(ref replaced);
                    await connection.DisposeAsync().ConfigureAwait(false);
                }

                throw new NpgsqlException($"Keep-alive found more than {settings.WarmConnections} dead connections in a row.");
            }, cancellationToken).ConfigureAwait(false);

            Remember(connections.Select(c => c!.ProcessID));
            return new KeepAliveCounts(validated, replaced, opened);
        }
        finally
        {
            foreach (var connection in connections)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task<bool> PingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var command = new NpgsqlCommand("SELECT 1", connection);
            await using var commandScope = command.ConfigureAwait(false);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        // Any driver or socket failure on SELECT 1 means the connector is dead: Npgsql has already discarded it.
        catch (Exception ex) when (ex is NpgsqlException or IOException)
        {
            return false;
        }
    }
}

internal readonly record struct KeepAliveCounts(int Validated, int Replaced, int Opened);
