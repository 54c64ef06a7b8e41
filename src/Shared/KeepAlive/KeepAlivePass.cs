using Npgsql;
using Prewarm.Warmup;

namespace Prewarm.KeepAlive;

// Takes the warm connections out of the pool at once (so every idle one is looked at), pings each, swaps the dead
// for fresh ones, retires the ones due (PoolLedger) and tops the pool up to N. Npgsql hands out idle connectors
// without checking them, so without this pass the first request after a server restart or an idle cut by a load
// balancer is the one that finds the corpse.
internal sealed class KeepAlivePass(NpgsqlDataSource dataSource, PrewarmSettings settings, ConnectionWarmer warmer, PoolLedger ledger)
{
    // When a connection dies of 57P01/57P02 Npgsql clears the whole pool, so connections this pass held and found
    // alive are closed as they are handed back. A second round then finds the pool short and tops it up.
    private const int MaxRounds = 3;

    public async ValueTask<KeepAliveCounts> RunAsync(CancellationToken cancellationToken)
    {
        // Every backend this pass has seen: a connection is counted as opened only once across rounds.
        var seen = new HashSet<int>();
        var total = new KeepAliveCounts();
        for (var round = 0; round < MaxRounds; round++)
        {
            var tally = new KeepAliveCounts();
            await RunRoundAsync(seen, tally, cancellationToken).ConfigureAwait(false);
            total.Add(tally, countValidated: round == 0);
            if (tally.Replaced == 0)
            {
                break;
            }
        }

        return total;
    }

    private async Task RunRoundAsync(HashSet<int> seen, KeepAliveCounts tally, CancellationToken cancellationToken)
    {
        var held = new NpgsqlConnection?[settings.WarmConnections];
        try
        {
            // The connections this library left idle in the pool, besides the one taken first, cost no new slot.
            await warmer.FillAsync(
                held,
                ct => new ValueTask<NpgsqlConnection>(AcquireAsync(seen, tally, ct)),
                first => ledger.Count - (ledger.Contains(first.ProcessID) ? 1 : 0),
                cancellationToken).ConfigureAwait(false);

            await RetireDueAsync(held, seen, tally, cancellationToken).ConfigureAwait(false);

            var pids = held.OfType<NpgsqlConnection>().Select(c => c.ProcessID).ToArray();
            ledger.Add(pids.Where(p => !ledger.Contains(p)).ToArray());
            ledger.RetainOnly(pids);
            tally.Held = pids.Length;
            warmer.Observe(pids.Length);
        }
        catch (Exception ex)
        {
            warmer.Observe(ex);
            throw;
        }
        finally
        {
            foreach (var connection in held)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    // One at a time: retirements are spread by design, so a pass rarely has more than one, and each replacement is
    // opened only after the old backend has left the server.
    private async Task RetireDueAsync(NpgsqlConnection?[] held, HashSet<int> seen, KeepAliveCounts tally, CancellationToken cancellationToken)
    {
        for (var i = 0; i < held.Length; i++)
        {
            if (held[i] is not { } retiree || !ledger.IsDue(retiree.ProcessID))
            {
                continue;
            }

            var pid = retiree.ProcessID;
            held[i] = null;
            if (!await ConnectionRetirement.TryCloseAsync(retiree, cancellationToken).ConfigureAwait(false))
            {
                ledger.NeverRetire(pid);
                held[i] = await AcquireAsync(seen, tally, cancellationToken).ConfigureAwait(false);
                continue;
            }

            tally.Retired++;
            // Through PgBouncer the pid is pgbouncer's, not a server backend's: nothing to wait for there.
            if (!settings.PgBouncer && held.FirstOrDefault(c => c is not null) is { } other)
            {
                await ConnectionRetirement.WaitForExitAsync(other, pid, cancellationToken).ConfigureAwait(false);
            }

            held[i] = await AcquireAsync(seen, tally, cancellationToken).ConfigureAwait(false);
        }
    }

    // Every dead idle connector taken from the pool is discarded, so this ends after at most N + 1 tries.
    private async Task<NpgsqlConnection> AcquireAsync(HashSet<int> seen, KeepAliveCounts tally, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= settings.WarmConnections; attempt++)
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var pid = connection.ProcessID;
            bool isNew;
            lock (seen)
            {
                isNew = seen.Add(pid) && !ledger.Contains(pid);
            }

            if (isNew)
            {
                Interlocked.Increment(ref tally.Opened);
            }

            if (await PingAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                if (!isNew)
                {
                    Interlocked.Increment(ref tally.Validated);
                }

                return connection;
            }

            Interlocked.Increment(ref tally.Replaced);
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        throw new NpgsqlException($"Keep-alive found more than {settings.WarmConnections} dead connections in a row.");
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

// What a pass did; fields, because the parallel acquires count with Interlocked.
internal sealed class KeepAliveCounts
{
    public int Validated;
    public int Replaced;
    public int Opened;
    public int Retired;
    public int Held;

    // Validated counts the first round only: later rounds look at connections the first one already saw.
    public void Add(KeepAliveCounts round, bool countValidated)
    {
        Validated += countValidated ? round.Validated : 0;
        Replaced += round.Replaced;
        Opened += round.Opened;
        Retired += round.Retired;
        Held = round.Held;
    }
}
