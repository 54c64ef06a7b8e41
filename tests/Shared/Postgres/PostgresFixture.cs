using Npgsql;
using Prewarm.LocalPostgres;
using Prewarm.SampleData;

namespace Prewarm.Tests.Infrastructure;

// One real PostgreSQL 15 cluster (TLS, scram-sha-256, 127.0.0.1) with an app role and a database it owns, holding the
// sample table, for every test project (tests/Directory.Build.props compiles this file into each). Tests tell their
// connections apart by a unique Application Name, never by sharing state.
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string AppUser = "prewarm_app";

    // The secret the leak tests look for in logs, reports and responses.
    public const string AppPassword = "app-pw-9f3c1e7d-secret";
    public const string AppDatabase = "prewarm_app";

    private PostgresCluster? _cluster;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    // Unpooled: a pooled admin connection would outlive the server restarts some tests make, and fail on next use.
    public string AdminConnectionString =>
        new NpgsqlConnectionStringBuilder(Cluster.ConnectionString(AppDatabase)) { Pooling = false }.ConnectionString;

    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.CreateAsync();
        await _cluster.CreateRoleAsync(AppUser, AppPassword);
        await _cluster.CreateDatabaseAsync(AppDatabase, AppUser);
        // Created now, as the app role (whose table it is in the apps under test): a test that locks it to hold a
        // warm-up back must find it before any app starts, since the warm-up begins the moment the app is composed.
        await using var app = NpgsqlDataSource.Create(AppConnectionString("prewarm-tests-setup"));
        await SampleSchema.EnsureAsync(app);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>The app role's connection string, tagged with a fresh application name.</summary>
    public string AppConnectionString(out string applicationName, string? password = AppPassword, string? extra = null) =>
        ConnectionStringFor(Cluster, out applicationName, password, extra);

    /// <summary>The app role's connection string, tagged with the caller's application name.</summary>
    public string AppConnectionString(string applicationName) =>
        new NpgsqlConnectionStringBuilder(Cluster.ConnectionString(AppDatabase, AppUser, AppPassword)) { ApplicationName = applicationName }.ConnectionString;

    public static string ConnectionStringFor(PostgresCluster cluster, out string applicationName, string? password = AppPassword, string? extra = null)
    {
        applicationName = "t-" + Guid.NewGuid().ToString("N")[..12];
        var builder = new NpgsqlConnectionStringBuilder(cluster.ConnectionString(AppDatabase, AppUser, password))
        {
            ApplicationName = applicationName,
        };
        return extra is null ? builder.ConnectionString : $"{builder.ConnectionString};{extra}";
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresTests : ICollectionFixture<PostgresFixture>
{
    // One collection: the tests stop and start the server and read pg_stat_activity, so they run one at a time.
    public const string Name = "Postgres";
}
