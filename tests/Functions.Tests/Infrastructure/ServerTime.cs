using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Infrastructure;

// Orderings on the server's clock: "opened before X" is checked against pg_stat_activity.backend_start, so the test
// compares two server timestamps and measures nothing.
internal static class ServerTime
{
    public static Task<DateTime> ClockAsync(this PostgresFixture postgres) =>
        postgres.Cluster.ScalarAsync<DateTime>("SELECT clock_timestamp()");

    public static Task<int> BackendsStartedBeforeAsync(this PostgresFixture postgres, string applicationName, DateTime instant) =>
        postgres.Cluster.ScalarAsync<int>(
            $"SELECT count(*)::int FROM pg_stat_activity WHERE application_name = '{applicationName}' AND backend_start < '{instant:O}'::timestamptz");
}
