using Npgsql;
using Prewarm.SampleData;

namespace Prewarm.Functions.Warmup;

// The app's warm-up work: the sample API's own read, prepared on every warmed connection, so the first request
// finds its statement parsed and planned, its types loaded. The sample creates its table here too, once per process;
// a real app would create its schema in a migration, not on the warm-up path.
internal sealed class SampleWarmupWork
{
    private volatile bool _schemaReady;

    public async Task RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            // Warm-up opens several connections at once; each may get here first. SampleSchema serialises them with an
            // advisory lock and is idempotent, so the race costs a few no-op statements, not an error.
            await SampleSchema.EnsureAsync(connection, cancellationToken);
            _schemaReady = true;
        }

        await OrdersQuery.WarmAsync(connection, cancellationToken);
    }
}
