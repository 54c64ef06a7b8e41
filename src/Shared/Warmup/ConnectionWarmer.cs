using System.Net;
using Npgsql;
using Prewarm.Authentication;
using Prewarm.Resilience;

namespace Prewarm.Warmup;

// One warm-up attempt: N physical connections opened side by side, the app's work run on each, all of them handed
// back to the pool idle. Opening them one after another would cost N round-trip chains instead of one.
internal sealed class ConnectionWarmer(NpgsqlDataSource dataSource, PrewarmSettings settings, TimeProvider time, EntraTokenSource? tokenSource, string host)
{
    public const string TokenPhase = "token";
    public const string OpenPhase = "open";
    public const string WorkPhase = "work";

    // Set when the server refused a connection for want of room; cleared once the pool holds N again. While set,
    // opens beyond the first are bounded by what the server says it has left (see ServerCapacity). PgBouncer queues
    // clients instead of refusing them, and its pids say nothing about the server, so it is never asked there.
    private volatile bool _serverFull;

    public bool MustAskForRoom => _serverFull && !settings.PgBouncer;

    public void Observe(Exception exception)
    {
        if (FailureClassifier.IsNoRoom(exception))
        {
            _serverFull = true;
        }
    }

    public void Observe(int connectionsHeld)
    {
        if (connectionsHeld >= settings.WarmConnections)
        {
            _serverFull = false;
        }
    }

    public async Task<WarmupAttempt> WarmOnceAsync(CancellationToken cancellationToken)
    {
        var connections = new NpgsqlConnection?[settings.WarmConnections];
        var phases = new Dictionary<string, TimeSpan>();
        try
        {
            if (tokenSource is not null)
            {
                // The token comes before the first open, and the name lookup Open would do anyway runs beside it.
                var tokenStarted = time.GetTimestamp();
                await Task.WhenAll(tokenSource.EnsureTokenAsync(cancellationToken), ResolveHostAsync(cancellationToken)).ConfigureAwait(false);
                phases[TokenPhase] = time.GetElapsedTime(tokenStarted);
            }

            var openStarted = time.GetTimestamp();
            // After a refused open the pool was cleared: nothing idle in it spares a slot.
            await FillAsync(connections, dataSource.OpenConnectionAsync, _ => 0, cancellationToken).ConfigureAwait(false);
            phases[OpenPhase] = time.GetElapsedTime(openStarted);

            var opened = connections.OfType<NpgsqlConnection>().ToArray();
            var workStarted = time.GetTimestamp();
            await ForEachConnectionAsync(opened.Length, (i, ct) => RunWorkAsync(opened[i], ct), cancellationToken).ConfigureAwait(false);
            phases[WorkPhase] = time.GetElapsedTime(workStarted);

            Observe(opened.Length);
            return new WarmupAttempt(opened.Select(c => c.ProcessID).ToArray(), phases);
        }
        catch (Exception ex)
        {
            Observe(ex);
            throw;
        }
        finally
        {
            // Returned, not closed: the pool keeps them idle, and Minimum Pool Size keeps the pruner off them.
            foreach (var connection in connections)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    // Fills the slots through `take`: all side by side; or, on a server that was full, one first and then only as many
    // as the server has room for, plus those `pooledBesides` says sit idle in the pool (they cost no new slot). A pool
    // short of N is warm with what it has, and the keep-alive pass tops it up once room appears.
    public async Task FillAsync(
        NpgsqlConnection?[] slots,
        Func<CancellationToken, ValueTask<NpgsqlConnection>> take,
        Func<NpgsqlConnection, int> pooledBesides,
        CancellationToken cancellationToken)
    {
        var first = 0;
        var count = slots.Length;
        if (MustAskForRoom)
        {
            var one = slots[0] = await take(cancellationToken).ConfigureAwait(false);
            first = 1;
            var room = await ServerCapacity.FreeSlotsAsync(one, cancellationToken).ConfigureAwait(false);
            count = Math.Min(slots.Length - 1, pooledBesides(one) + room);
        }

        await ForEachConnectionAsync(count, async (i, ct) =>
            slots[first + i] = await take(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    public Task ForEachConnectionAsync(int count, Func<int, CancellationToken, ValueTask> body, CancellationToken cancellationToken) =>
        count <= 0
            ? Task.CompletedTask
            : Parallel.ForEachAsync(
                Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Min(count, settings.MaxParallelOpens), CancellationToken = cancellationToken },
                body);

    // Warms the resolver's cache; a failure here is left for Open to report with its own context.
    private async Task ResolveHostAsync(CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out _) || host.Contains(',', StringComparison.Ordinal) || host.StartsWith('/'))
        {
            return;
        }

        try
        {
            await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException)
        {
        }
    }

    private async ValueTask RunWorkAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        foreach (var sql in settings.WarmupQueries)
        {
            var command = new NpgsqlCommand(sql, connection);
            await using var commandScope = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            do
            {
                // Reading every value loads and compiles the type handlers of every column the app will read.
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        _ = reader.GetValue(i);
                    }
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }

        if (settings.WarmupWork is { } work)
        {
            await work(connection, cancellationToken).ConfigureAwait(false);
        }
    }
}

internal sealed record WarmupAttempt(IReadOnlyList<int> BackendPids, IReadOnlyDictionary<string, TimeSpan> Phases);
