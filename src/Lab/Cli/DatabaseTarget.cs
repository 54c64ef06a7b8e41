using Npgsql;
using Prewarm.LocalPostgres;
using Prewarm.SampleData;

namespace Prewarm.Lab.Cli;

/// <summary>The database a command runs against: the user's (<c>--connection</c>) or a throwaway embedded cluster it starts and stops.</summary>
internal sealed class DatabaseTarget : IAsyncDisposable
{
    private const string AppRole = "prewarm_app";
    private const string AppDatabase = "prewarm";
    private static readonly TimeSpan s_reachTimeout = TimeSpan.FromSeconds(15);

    private readonly PostgresCluster? _cluster;

    private DatabaseTarget(string connectionString, PostgresCluster? cluster)
    {
        ConnectionString = connectionString;
        _cluster = cluster;
    }

    public string ConnectionString { get; }

    public bool IsEmbedded => _cluster is not null;

    /// <summary>Checks the user's string is well formed and names a host, without connecting.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                throw new LabException("malformed connection string: it names no Host");
            }

            return builder;
        }
        catch (ArgumentException e)
        {
            throw new LabException($"malformed connection string: {e.Message}");
        }
    }

    /// <summary>Connects (bounded), and with <paramref name="seed"/> creates the sample schema if it is missing.</summary>
    public static async Task<DatabaseTarget> OpenAsync(string? connectionString, bool seed, CancellationToken ct)
    {
        if (connectionString is not null)
        {
            Parse(connectionString);
            var target = new DatabaseTarget(connectionString, null);
            await target.PrepareAsync(seed, ct);
            return target;
        }

        PostgresCluster cluster;
        try
        {
            cluster = await PostgresCluster.CreateAsync(ct: ct);
        }
        catch (InvalidOperationException e)
        {
            throw new LabException($"could not start the embedded PostgreSQL: {e.Message}");
        }

        try
        {
            // A plain role with its own password: the sample app authenticates the way a real app does, not as superuser.
            var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            await cluster.CreateRoleAsync(AppRole, password, ct);
            await cluster.CreateDatabaseAsync(AppDatabase, AppRole, ct);
            var embedded = new DatabaseTarget(cluster.ConnectionString(AppDatabase, AppRole, password), cluster);
            await embedded.PrepareAsync(seed, ct);
            return embedded;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The cores the embedded server may run on, as the kernel says of a backend (forked from the postmaster, so it
    /// carries the postmaster's mask); null for an external database, whose processes are not this machine's.
    /// </summary>
    public async Task<string?> ServerCpusAsync(CancellationToken ct)
    {
        if (_cluster is null)
        {
            return null;
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var pid = (int)(await command.ExecuteScalarAsync(ct))!;
        return Prewarm.LocalPostgres.Processes.CpuAffinity.AllowedList(pid);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private async Task PrepareAsync(bool seed, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(s_reachTimeout);
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
            if (seed)
            {
                await SampleSchema.EnsureAsync(dataSource, bounded.Token);
            }
            else
            {
                await using var connection = await dataSource.OpenConnectionAsync(bounded.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new LabException($"database unreachable: no answer within {s_reachTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new LabException($"database unreachable: {FailureText.Describe(e)}");
        }
    }
}
