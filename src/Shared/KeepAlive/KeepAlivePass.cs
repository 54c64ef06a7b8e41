using Npgsql;
using Prewarm.Warmup;

namespace Prewarm.KeepAlive;

// Looks at every warm connection of the pool, pings it, swaps the dead for fresh ones, retires the ones due
// (PoolLedger), and tops the pool up to N on a turn, or gives one back when the server has less room than FairShare
// keeps for instances that hold none. Npgsql hands out idle connectors without checking them, so without this pass the
// first request after a server restart or an idle cut by a load balancer is the one that finds the corpse.
//
// It holds at most two connections at a time: the one the turn and the server's free slots are read on, and the one
// being looked at. Npgsql hands idle connections out first in, first out, so taking and returning them one by one
// visits each in turn, while a request arriving meanwhile still finds one idle instead of opening a new one (which,
// on a full server, would be refused and make Npgsql clear the pool). A request that takes one in between at worst
// makes the pass look at one twice and another not at all, until the next pass. A pool of one or two has nothing
// left idle while the pass holds its two, so there the pass holds the gate (ReadinessSignal.HoldGate) until it has
// handed one back; a top-up holds it throughout.
internal sealed class KeepAlivePass(NpgsqlDataSource dataSource, PrewarmSettings settings, PoolOpener opener, ServerRoom room, PoolLedger ledger, ReadinessSignal signal)
{
    // The connections a pass holds at once (the holder and the one looked at): a pool of no more has none left idle.
    private const int HeldAtOnce = 2;

    // When a connection dies of 57P01/57P02 Npgsql clears the whole pool, so connections this pass looked at and found
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
        var requested = settings.WarmConnections;
        var pids = new List<int>(requested);
        NpgsqlConnection? holder = null;
        // Released the first time a connection goes back to the pool idle, or at the end of the round.
        using var hold = ledger.Count <= HeldAtOnce ? signal.HoldGate() : null;
        try
        {
            // The holder: the first connection looked at, kept until the end of the round.
            holder = await AcquireAsync(seen, tally, cancellationToken).ConfigureAwait(false);
            holder = await RetireIfDueAsync(holder, null, seen, tally, cancellationToken).ConfigureAwait(false);
            pids.Add(holder.ProcessID);
            // Through PgBouncer all N are taken (and so topped up) at once: it queues clients instead of refusing them.
            var known = settings.PgBouncer ? requested : Math.Min(ledger.Count, requested);
            for (var i = 1; i < known; i++)
            {
                var connection = await AcquireAsync(seen, tally, cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var looked = await RetireIfDueAsync(connection, holder, seen, tally, cancellationToken).ConfigureAwait(false);
                    if (!ReferenceEquals(looked, connection))
                    {
                        await using (looked.ConfigureAwait(false))
                        {
                            pids.Add(looked.ProcessID);
                        }

                        hold?.Dispose();
                        continue;
                    }

                    pids.Add(connection.ProcessID);
                }

                hold?.Dispose();
            }

            // Through PgBouncer the server's slots are not this pool's to judge.
            if (settings.PgBouncer)
            {
                return;
            }

            var free = await ServerCapacity.FreeSlotsAsync(holder, cancellationToken).ConfigureAwait(false);
            tally.FreeSlots = free;
            if (pids.Count < requested && FairShare.Grant(1, free) > 0)
            {
                // More only on a turn that saw room beyond the reserve (RoomTurn, FairShare): a refused open would make
                // Npgsql clear the pool, every connection it holds included. The gate is held meanwhile: each new open
                // takes the warm idle connections out of the pool for an instant (OpenPhysicalAsync), and a request in
                // that instant would open one of its own, beyond N.
                using (signal.HoldGate())
                {
                    tally.FreeSlots = await opener.TopUpAsync(holder, requested - pids.Count, wait: false, IsKnown, AdoptAsync, cancellationToken).ConfigureAwait(false) ?? free;
                }
            }
            else if (FairShare.ShouldShed(free, pids.Count) && await ConnectionRetirement.TryCloseAsync(holder, cancellationToken).ConfigureAwait(false))
            {
                pids.Remove(holder.ProcessID);
                tally.Shed++;
            }
        }
        catch (Exception ex)
        {
            room.Failed(ex);
            throw;
        }
        finally
        {
            if (holder is not null)
            {
                await holder.DisposeAsync().ConfigureAwait(false);
            }

            ledger.Add(pids.Where(p => !ledger.Contains(p)).ToArray());
            ledger.RetainOnly(pids);
            tally.Held = pids.Count;
            room.Holds(pids.Count);
        }

        bool IsKnown(int pid)
        {
            lock (seen)
            {
                return seen.Contains(pid) || ledger.Contains(pid);
            }
        }

        async Task AdoptAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            await using (connection.ConfigureAwait(false))
            {
                lock (seen)
                {
                    seen.Add(connection.ProcessID);
                }

                if (await PingAsync(connection, ct).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref tally.Opened);
                    lock (pids)
                    {
                        pids.Add(connection.ProcessID);
                    }
                }
            }

            hold?.Dispose();
        }
    }

    // Retirements are spread by design, so a pass rarely has more than one. The replacement is a new physical connection,
    // opened only after the old backend has left the server (watched from `other`, when there is one), so the pool
    // never holds more than N on the server. Returns the connection to keep: the same one, or its replacement.
    private async Task<NpgsqlConnection> RetireIfDueAsync(
        NpgsqlConnection connection, NpgsqlConnection? other, HashSet<int> seen, KeepAliveCounts tally, CancellationToken cancellationToken)
    {
        var pid = connection.ProcessID;
        if (!ledger.IsDue(pid))
        {
            return connection;
        }

        if (!await ConnectionRetirement.TryCloseAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            ledger.NeverRetire(pid);
            return connection;
        }

        tally.Retired++;
        // Through PgBouncer the pid is pgbouncer's, not a server backend's: nothing to wait for there.
        if (!settings.PgBouncer && other is not null)
        {
            await ConnectionRetirement.WaitForExitAsync(other, pid, cancellationToken).ConfigureAwait(false);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        var replacement = await opener.OpenPhysicalAsync(p => p == pid || ledger.Contains(p), cancellationToken).ConfigureAwait(false);
        if (!settings.PgBouncer && other is null)
        {
            // Nothing else was held to watch from: the backend had the length of an open to leave; make sure it has.
            await ConnectionRetirement.WaitForExitAsync(replacement, pid, cancellationToken).ConfigureAwait(false);
        }

        lock (seen)
        {
            seen.Add(replacement.ProcessID);
        }

        tally.Opened++;
        return replacement;
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
    public int Shed;
    public int? FreeSlots;

    // Validated counts the first round only: later rounds look at connections the first one already saw.
    public void Add(KeepAliveCounts round, bool countValidated)
    {
        Validated += countValidated ? round.Validated : 0;
        Replaced += round.Replaced;
        Opened += round.Opened;
        Retired += round.Retired;
        Held = round.Held;
        Shed += round.Shed;
        FreeSlots = round.FreeSlots ?? FreeSlots;
    }
}
