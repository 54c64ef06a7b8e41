using Npgsql;

namespace Prewarm.Warmup;

// Opens NEW physical connections for a pool whose warm connections sit idle in it. Npgsql hands out an idle connector
// whenever it has one, so every way here first takes the warm idle ones out of the pool for an instant, and hands them
// back as soon as the open has committed to a new one: side by side (BeginBesideWarmAsync), one (OpenPhysicalAsync),
// or on a turn that saw room for them (TopUpAsync). Used by the warm-up, its one-core top-up and the keep-alive pass.
internal sealed class PoolOpener(NpgsqlDataSource dataSource, PrewarmSettings settings)
{
    // Begins `count` opens of new physical connections while the pool's warm idle ones are taken out of it for that
    // instant (Npgsql hands out an idle one whenever it has one), then hands those back.
    public async Task<Task<NpgsqlConnection>[]> BeginBesideWarmAsync(int count, Func<int, bool> isKnown, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return [];
        }

        var taken = new List<NpgsqlConnection>();
        var opening = new List<Task<NpgsqlConnection>>(count);
        try
        {
            while (opening.Count < count)
            {
                var open = dataSource.OpenConnectionAsync(cancellationToken).AsTask();
                if (open.IsCompletedSuccessfully && isKnown(open.Result.ProcessID) && taken.Count < settings.WarmConnections)
                {
                    taken.Add(open.Result);
                    continue;
                }

                opening.Add(open);
            }
        }
        finally
        {
            await ReturnAsync(taken).ConfigureAwait(false);
        }

        return [.. opening];
    }

    /// <summary>
    /// Opens up to <paramref name="wanted"/> new physical connections on a turn (RoomTurn) taken on
    /// <paramref name="holder"/>, as many as the server has room for beyond the reserve, each given to
    /// <paramref name="warm"/>. Returns the free slots the turn saw, or null when another instance had the turn.
    /// </summary>
    public async Task<int?> TopUpAsync(
        NpgsqlConnection holder, int wanted, bool wait, Func<int, bool> isKnown, Func<NpgsqlConnection, CancellationToken, Task> warm, CancellationToken cancellationToken)
    {
        var turn = await RoomTurn.TakeAsync(holder, wait, cancellationToken).ConfigureAwait(false);
        if (turn is null)
        {
            return null;
        }

        await using (turn.ConfigureAwait(false))
        {
            await ForEachConnectionAsync(FairShare.Grant(wanted, turn.FreeSlots), async (_, ct) =>
                await warm(await OpenPhysicalAsync(isKnown, ct).ConfigureAwait(false), ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return turn.FreeSlots;
        }
    }

    // Npgsql hands out an idle connector whenever it has one, and the warm connections are idle in the pool by design.
    // To open a new physical one, the idle ones are borrowed until an Open has to connect; they go back the moment it
    // has committed to that (its task is pending), so a request is kept from them only for that instant.
    // `hold`, when given, is released as soon as the borrowed ones are back (a gate held for that instant).
    public async Task<NpgsqlConnection> OpenPhysicalAsync(Func<int, bool> isKnown, CancellationToken cancellationToken, IDisposable? hold = null)
    {
        var borrowed = new List<NpgsqlConnection>();
        try
        {
            for (var tries = 0; ; tries++)
            {
                var open = dataSource.OpenConnectionAsync(cancellationToken);
                var pending = !open.IsCompleted;
                if (pending)
                {
                    await ReturnAsync(borrowed).ConfigureAwait(false);
                    hold?.Dispose();
                }

                var connection = await open.ConfigureAwait(false);
                if (!isKnown(connection.ProcessID) || tries >= settings.WarmConnections)
                {
                    return connection;
                }

                borrowed.Add(connection);
            }
        }
        finally
        {
            await ReturnAsync(borrowed).ConfigureAwait(false);
            hold?.Dispose();
        }
    }

    private static async Task ReturnAsync(List<NpgsqlConnection> borrowed)
    {
        foreach (var connection in borrowed)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        borrowed.Clear();
    }

    public Task ForEachConnectionAsync(int count, Func<int, CancellationToken, ValueTask> body, CancellationToken cancellationToken) =>
        count <= 0
            ? Task.CompletedTask
            : Parallel.ForEachAsync(
                Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Min(count, settings.MaxParallelOpens), CancellationToken = cancellationToken },
                body);
}
