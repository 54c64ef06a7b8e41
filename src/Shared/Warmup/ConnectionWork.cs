using Npgsql;

namespace Prewarm.Warmup;

// The app's warm-up work on one connection (WarmupQueries, then WarmupWork), and the list of backends it warmed.
internal sealed class ConnectionWork(PrewarmSettings settings)
{
    // Runs the work; the caller hands the connection back to the pool either way (Minimum Pool Size keeps the pruner
    // off it). A failure of the work is returned, not thrown: one connection's failure must not hold the others, or the
    // gate, back.
    public async Task<Exception?> TryWarmAsync(NpgsqlConnection connection, List<int> warmed, CancellationToken cancellationToken)
    {
        try
        {
            await RunWorkAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && connection.FullState == System.Data.ConnectionState.Open)
        {
            return ex;
        }

        lock (warmed)
        {
            warmed.Add(connection.ProcessID);
        }

        return null;
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
