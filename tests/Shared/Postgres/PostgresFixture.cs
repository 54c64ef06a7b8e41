using Npgsql;
using Prewarm.LocalPostgres;

namespace Prewarm.Tests.Infrastructure;

// One real PostgreSQL 15 cluster (TLS, scram-sha-256, 127.0.0.1) for the whole "Postgres" collection. Tests tell
// their connections apart by a unique Application Name, never by sharing state.
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string AppUser = "prewarm_app";
    public const string AppPassword = "app-pw-9f3c1e7d-secret";
    public const string AppDatabase = "prewarm_app";

    private PostgresCluster? _cluster;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.CreateAsync();
        await _cluster.CreateRoleAsync(AppUser, AppPassword);
        await _cluster.CreateDatabaseAsync(AppDatabase, AppUser);
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
    public const string Name = "Postgres";
}
