using Npgsql;
using Prewarm.SampleData;

namespace Prewarm.Functions.Warmup;

// The app's warm-up work: the sample API's own read on every warmed connection, so the first request finds its types
// loaded and, unless the app runs behind PgBouncer (OrdersQuery.Prepares), its statement parsed and planned. The sample
// creates its table here too, once per process; a real app would create its schema in a migration, not on the warm-up path.
internal sealed class SampleWarmupWork(OrdersQuery ordersQuery)
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

        await ordersQuery.WarmAsync(connection, cancellationToken);
    }
}
