using Npgsql;

namespace Prewarm.Warmup;

// One warm-up attempt: N physical connections opened side by side, the app's work run on each, all of them handed
// back to the pool idle. Opening them one after another would cost N round-trip chains instead of one.
internal sealed class ConnectionWarmer(NpgsqlDataSource dataSource, PrewarmSettings settings, TimeProvider time)
{
    public const string OpenPhase = "open";
    public const string WorkPhase = "work";

    public async Task<WarmupAttempt> WarmOnceAsync(CancellationToken cancellationToken)
    {
        var connections = new NpgsqlConnection?[settings.WarmConnections];
        try
        {
            var openStarted = time.GetTimestamp();
            await ForEachConnectionAsync(connections.Length, async (i, ct) =>
                connections[i] = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            var openTime = time.GetElapsedTime(openStarted);

            var workStarted = time.GetTimestamp();
            await ForEachConnectionAsync(connections.Length, (i, ct) => RunWorkAsync(connections[i]!, ct), cancellationToken).ConfigureAwait(false);
            var workTime = time.GetElapsedTime(workStarted);

            var pids = connections.Select(c => c!.ProcessID).ToArray();
            return new WarmupAttempt(pids, new Dictionary<string, TimeSpan> { [OpenPhase] = openTime, [WorkPhase] = workTime });
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

    public Task ForEachConnectionAsync(int count, Func<int, CancellationToken, ValueTask> body, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Min(count, settings.MaxParallelOpens), CancellationToken = cancellationToken },
            body);

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
