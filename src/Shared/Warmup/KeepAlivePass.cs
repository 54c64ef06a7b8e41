using Npgsql;

namespace Prewarm.Warmup;

// Takes N connections out of the pool at once (so every idle one is looked at), pings each, and swaps the dead
// for fresh ones. Npgsql hands out idle connectors without checking them, so without this pass the first request
// after a server restart or an idle cut by a load balancer is the one that finds the corpse.
internal sealed class KeepAlivePass(NpgsqlDataSource dataSource, PrewarmSettings settings, ConnectionWarmer warmer)
{
    // When a connection dies of 57P01/57P02 Npgsql clears the whole pool, so connections this pass held and found
    // alive are closed as they are handed back. A second round then finds the pool short and tops it up.
    private const int MaxRounds = 3;

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
            known = [.. _knownPids];
        }

        var total = new KeepAliveCounts(0, 0, 0);
        for (var round = 0; round < MaxRounds; round++)
        {
            var counts = await RunRoundAsync(known, cancellationToken).ConfigureAwait(false);
            total = new KeepAliveCounts(round == 0 ? counts.Validated : total.Validated, total.Replaced + counts.Replaced, total.Opened + counts.Opened);
            if (counts.Replaced == 0)
            {
                break;
            }
        }

        return total;
    }

    // `known` holds every backend seen before or during this pass: a connection is counted as opened only once.
    private async Task<KeepAliveCounts> RunRoundAsync(HashSet<int> known, CancellationToken cancellationToken)
    {
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
                    bool isNew;
                    lock (known)
                    {
                        isNew = known.Add(connection.ProcessID);
                    }

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
