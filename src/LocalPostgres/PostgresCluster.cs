using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using Prewarm.LocalPostgres.Processes;

namespace Prewarm.LocalPostgres;

/// <summary>
/// A throwaway PostgreSQL cluster on 127.0.0.1 that only accepts TLS with scram-sha-256, like the managed server it stands in for.
/// Dispose it: that stops the server and deletes its files.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private static readonly TimeSpan InitdbTimeout = TimeSpan.FromMinutes(2);
    // pg_ctl is given -t 30; the extra time is for runuser and process start on a busy machine.
    private static readonly TimeSpan PgCtlTimeout = TimeSpan.FromSeconds(45);

    private readonly PgBinaries _binaries;
    private readonly ClusterDirectory _directory;
    private readonly PostgresClusterOptions _options;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private int _disposed;

    private PostgresCluster(PgBinaries binaries, ClusterDirectory directory, PostgresClusterOptions options)
    {
        _binaries = binaries;
        _directory = directory;
        _options = options;
        Port = FreePort.Next();
        SuperuserPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        OrphanGuard.Register(this);
    }

    /// <summary>Always the IPv4 loopback address: the server listens nowhere else.</summary>
    public string Host { get; } = "127.0.0.1";

    /// <summary>Chosen when the cluster is created and kept across stop and start.</summary>
    public int Port { get; private set; }

    /// <summary>The random password of the <c>postgres</c> superuser.</summary>
    public string SuperuserPassword { get; }

    /// <summary>Whether the server was started and has not been stopped since.</summary>
    public bool IsRunning { get; private set; }

    internal string DataDirectory => _directory.Data;

    /// <summary>How this cluster's server runs, for what runs beside it as the same OS user (pgbouncer).</summary>
    internal PgBinaries Binaries => _binaries;

    internal string RootDirectory => _directory.Root;

    /// <summary>Runs initdb, writes the TLS certificate and configuration, and starts the server unless <see cref="PostgresClusterOptions.Start"/> is false.</summary>
    /// <exception cref="InvalidOperationException">The server binaries are missing, or initdb or start-up failed.</exception>
    public static async Task<PostgresCluster> CreateAsync(PostgresClusterOptions? options = null, CancellationToken ct = default)
    {
        var binaries = PgBinaries.Locate();
        var cluster = new PostgresCluster(binaries, ClusterDirectory.Create(binaries), options ?? new PostgresClusterOptions());
        try
        {
            await cluster.InitializeAsync(ct).ConfigureAwait(false);
            if (cluster._options.Start)
            {
                await cluster.StartFirstTimeAsync(ct).ConfigureAwait(false);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An Npgsql connection string with TLS required; the password defaults to the superuser's for <c>postgres</c>.</summary>
    public string ConnectionString(string database = "postgres", string username = Superuser, string? password = null)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = database,
            Username = username,
            Password = password ?? (username == Superuser ? SuperuserPassword : null),
            // Require encrypts without validating the self-signed certificate.
            SslMode = SslMode.Require,
        };
        return builder.ConnectionString;
    }

    /// <summary>Starts the server (<c>pg_ctl start -w</c>); does nothing if it is running.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!IsRunning)
            {
                var failure = await TryStartAsync(ct).ConfigureAwait(false);
                if (failure is not null)
                {
                    throw new InvalidOperationException(failure.Message);
                }
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the server (<c>pg_ctl stop -w</c>); does nothing if it is not running.</summary>
    public async Task StopAsync(StopMode mode = StopMode.Fast, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (IsRunning)
            {
                var result = await PgCtlStopAsync(mode, ct).ConfigureAwait(false);
                // A server that died on its own leaves no pid file; it is stopped either way.
                if (!result.Succeeded && _directory.HasPostmasterPid())
                {
                    throw new InvalidOperationException($"pg_ctl stop failed (exit {result.ExitCode}): {result.Output}");
                }

                IsRunning = false;
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops then starts the server on the same port.</summary>
    public async Task RestartAsync(StopMode mode = StopMode.Fast, CancellationToken ct = default)
    {
        await StopAsync(mode, ct).ConfigureAwait(false);
        await StartAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Runs SQL as the superuser on an unpooled connection.</summary>
    public async Task ExecuteAsync(string sql, string database = "postgres", CancellationToken ct = default)
    {
        await using var connection = await OpenAdminConnectionAsync(database, ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Runs SQL as the superuser and returns the first column of the first row; <c>default</c> for no row or NULL.</summary>
    public async Task<T?> ScalarAsync<T>(string sql, string database = "postgres", CancellationToken ct = default)
    {
        await using var connection = await OpenAdminConnectionAsync(database, ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value switch
        {
            null or DBNull => default,
            T typed => typed,
            _ => (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Creates a LOGIN role with the given password (stored as a scram-sha-256 verifier).</summary>
    public Task CreateRoleAsync(string name, string password, CancellationToken ct = default) =>
        ExecuteAsync($"CREATE ROLE {SqlQuote.Identifier(name)} LOGIN PASSWORD {SqlQuote.Literal(password)}", ct: ct);

    /// <summary>Creates a database, owned by <paramref name="owner"/> when given.</summary>
    public Task CreateDatabaseAsync(string name, string? owner = null, CancellationToken ct = default)
    {
        var sql = $"CREATE DATABASE {SqlQuote.Identifier(name)}";
        if (owner is not null)
        {
            sql += $" OWNER {SqlQuote.Identifier(owner)}";
        }

        return ExecuteAsync(sql, ct: ct);
    }

    /// <summary>Stops the server at once (<c>-m immediate</c>) and deletes its files. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        OrphanGuard.Unregister(this);
        // Bounded: a stuck start must not keep disposal, and with it the test run, waiting for ever.
        var locked = await _lifecycle.WaitAsync(PgCtlTimeout).ConfigureAwait(false);
        try
        {
            // The pid file, not IsRunning, decides: a start that timed out may still have left a postmaster behind.
            if (_directory.HasPostmasterPid())
            {
                await PgCtlStopAsync(StopMode.Immediate, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Best effort: deleting the folder below still matters.
        }
        finally
        {
            IsRunning = false;
            _directory.DeleteQuietly();
            if (locked)
            {
                _lifecycle.Release();
            }
        }
    }

    private async Task InitializeAsync(CancellationToken ct)
    {
        PrivateFiles.WriteNew(_directory.PasswordFile, SuperuserPassword + "\n");
        await _binaries.GiveToServiceUserAsync(_directory.Root, ct).ConfigureAwait(false);
        try
        {
            var result = await InitdbAsync("C.UTF-8", ct).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                // Minimal images may lack the C.UTF-8 locale; plain C always exists.
                _directory.ResetData();
                await _binaries.GiveToServiceUserAsync(_directory.Data, ct).ConfigureAwait(false);
                var fallback = await InitdbAsync("C", ct).ConfigureAwait(false);
                if (!fallback.Succeeded)
                {
                    throw new InvalidOperationException(
                        $"initdb failed (exit {fallback.ExitCode}): {fallback.Output}\nWith --locale=C.UTF-8 it said: {result.Output}");
                }
            }
        }
        finally
        {
            File.Delete(_directory.PasswordFile);
        }

        ServerCertificate.WriteTo(_directory.Data, _options.CertificateIssuer);
        ServerConfig.WriteInitial(_directory.Data, Port, _options);
        await _binaries.GiveToServiceUserAsync(_directory.Data, ct).ConfigureAwait(false);
    }

    private Task<ProcessResult> InitdbAsync(string locale, CancellationToken ct) =>
        _binaries.RunAsync(
            "initdb",
            [
                "-D", _directory.Data, "-A", "scram-sha-256", $"--pwfile={_directory.PasswordFile}",
                "-U", Superuser, "-E", "UTF8", $"--locale={locale}", "--no-sync",
            ],
            _directory.Root,
            InitdbTimeout,
            ct);

    /// <summary>The first start may lose its port to another process between choosing and binding it; then it picks another.</summary>
    private async Task StartFirstTimeAsync(CancellationToken ct)
    {
        await _lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var failure = await TryStartAsync(ct).ConfigureAwait(false);
                if (failure is null)
                {
                    return;
                }

                if (!failure.PortTaken || attempt == FreePort.StartAttempts)
                {
                    throw new InvalidOperationException(failure.Message);
                }

                Port = FreePort.Next();
                ServerConfig.WriteSettings(_directory.Data, Port, _options);
                await _binaries.GiveToServiceUserAsync(_directory.Data, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task<StartFailure?> TryStartAsync(CancellationToken ct)
    {
        var logStart = _directory.LogLength();
        var result = await _binaries.RunAsync(
            "pg_ctl",
            ["-D", _directory.Data, "-l", _directory.ServerLog, "-w", "-t", "30", "start"],
            _directory.Root,
            PgCtlTimeout,
            ct).ConfigureAwait(false);
        if (result.Succeeded)
        {
            IsRunning = true;
            return null;
        }

        var log = _directory.ReadLogTail(logStart);
        if (_directory.HasPostmasterPid())
        {
            // pg_ctl gave up waiting but the postmaster may still come up; it must not outlive this failure.
            await PgCtlStopAsync(StopMode.Immediate, CancellationToken.None).ConfigureAwait(false);
        }

        return new StartFailure(
            $"PostgreSQL did not start on {Host}:{Port} (pg_ctl exit {result.ExitCode}): {result.Output}\n--- server log (last lines) ---\n{log}",
            log.Contains("could not bind", StringComparison.OrdinalIgnoreCase));
    }

    private Task<ProcessResult> PgCtlStopAsync(StopMode mode, CancellationToken ct) =>
        _binaries.RunAsync(
            "pg_ctl",
            ["-D", _directory.Data, "-m", mode == StopMode.Immediate ? "immediate" : "fast", "-w", "-t", "30", "stop"],
            _directory.Root,
            PgCtlTimeout,
            ct);

    private async Task<NpgsqlConnection> OpenAdminConnectionAsync(string database, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString(database)) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed record StartFailure(string Message, bool PortTaken);
}
