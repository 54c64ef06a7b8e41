using System.Security.Cryptography;
using Npgsql;
using Prewarm.LocalPostgres;
using Prewarm.SampleData;
using Xunit;

namespace Prewarm.Functions.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL (TLS, scram-sha-256, 127.0.0.1) for the collection: an app role with a password and a database
/// it owns, with the sample table already created, so a test can lock it before the app starts.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string Database = "prewarm_functions";
    public const string AppRole = "prewarm_app";

    private PostgresCluster? _cluster;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("Fixture not initialised.");

    // Random per run: the secret the Health tests look for in responses.
    public string AppPassword { get; } = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public string AppConnectionString(string applicationName) =>
        new NpgsqlConnectionStringBuilder(Cluster.ConnectionString(Database, AppRole, AppPassword)) { ApplicationName = applicationName }.ConnectionString;

    // Unpooled: a pooled admin connection would outlive the server restarts some tests make, and fail on next use.
    public string AdminConnectionString =>
        new NpgsqlConnectionStringBuilder(Cluster.ConnectionString(Database)) { Pooling = false }.ConnectionString;

    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.CreateAsync();
        await _cluster.CreateRoleAsync(AppRole, AppPassword);
        await _cluster.CreateDatabaseAsync(Database, owner: AppRole);
        await using var dataSource = NpgsqlDataSource.Create(AppConnectionString("prewarm-functions-tests-setup"));
        await SampleSchema.EnsureAsync(dataSource);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>The backend pids of the app's connections, by their Application Name.</summary>
    public async Task<IReadOnlySet<int>> BackendPidsAsync(string applicationName)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE application_name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationName });
        var pids = new HashSet<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }

    /// <summary>Terminates a backend and waits until it is gone (PostgreSQL 14+: the timeout makes the call wait).</summary>
    public async Task TerminateAsync(int pid)
    {
        var terminated = await Cluster.ScalarAsync<bool>($"SELECT pg_terminate_backend({pid}, 10000)", Database);
        Assert.True(terminated, $"backend {pid} was not terminated");
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresTests : ICollectionFixture<PostgresFixture>
{
    // One collection: the tests stop and start the server and read pg_stat_activity, so they run one at a time.
    public const string Name = "functions-postgres";
}
