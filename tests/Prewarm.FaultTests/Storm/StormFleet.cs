using Prewarm.LocalPostgres;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.FaultTests.Storm;

// The storm tests' common ground: a server with a given number of app slots, K app processes started at once against
// it, all of them killed at the end.
internal static class StormFleet
{
    // PostgreSQL keeps superuser_reserved_connections (3) of max_connections away from the app role.
    private const int ReservedForSuperuser = 3;

    /// <summary>A server the app role can hold <paramref name="appSlots"/> connections on, plus <paramref name="testSlots"/> for the test's own.</summary>
    public static async Task<PostgresCluster> CreateClusterAsync(int appSlots, int testSlots = 0)
    {
        var options = new PostgresClusterOptions { MaxConnections = appSlots + ReservedForSuperuser + testSlots };
        var cluster = await PostgresCluster.CreateAsync(options);
        await cluster.CreateRoleAsync(PostgresFixture.AppUser, PostgresFixture.AppPassword);
        await cluster.CreateDatabaseAsync(PostgresFixture.AppDatabase, PostgresFixture.AppUser);
        return cluster;
    }

    /// <summary>Starts <paramref name="k"/> app processes at once, each with an application name of its own.</summary>
    public static StormProcess[] StartAll(
        PostgresCluster cluster, int k, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment = null) =>
        [.. Enumerable.Range(0, k).Select(_ =>
        {
            var connectionString = PostgresFixture.ConnectionStringFor(cluster, out var appName);
            return StormProcess.Start(connectionString, appName, settings, environment);
        })];

    public static async Task DisposeAllAsync(IEnumerable<StormProcess> apps)
    {
        foreach (var app in apps)
        {
            await app.DisposeAsync();
        }
    }
}
