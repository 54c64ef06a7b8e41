using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using Prewarm.LocalPostgres.Processes;

namespace Prewarm.LocalPostgres;

/// <summary>
/// A throwaway pgbouncer on 127.0.0.1 in front of a <see cref="PostgresCluster"/>: TLS on both sides, scram-sha-256,
/// <c>pool_mode = transaction</c> unless told otherwise, like Azure Flexible Server's built-in one on 6432.
/// Dispose it: that stops pgbouncer and deletes its files.
/// </summary>
public sealed class PgBouncerProcess : IAsyncDisposable
{
    /// <summary>The message when the binary is missing; tests can match on it.</summary>
    public const string MissingMessage =
        "pgbouncer not found; install it with: apt-get install -y pgbouncer (scripts/ensure-deps.sh does), or point PREWARM_PGBOUNCER at the binary";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly string _binary;
    private readonly PgBinaries _runner;
    private readonly string _root;
    private int _disposed;

    private PgBouncerProcess(string binary, PgBinaries runner, string root)
    {
        _binary = binary;
        _runner = runner;
        _root = root;
    }

    /// <summary>Always the IPv4 loopback address.</summary>
    public string Host { get; } = "127.0.0.1";

    /// <summary>The port pgbouncer listens on.</summary>
    public int Port { get; private set; }

    /// <summary>pgbouncer's own log, for failure messages.</summary>
    public string LogFile => Path.Combine(_root, "pgbouncer.log");

    private string ConfigFile => Path.Combine(_root, "pgbouncer.ini");

    private string PidFile => Path.Combine(_root, "pgbouncer.pid");

    /// <summary>Writes the configuration and starts pgbouncer in front of <paramref name="server"/>; returns once it accepts connections.</summary>
    /// <exception cref="InvalidOperationException">The binary is missing or pgbouncer did not start; the message quotes its log.</exception>
    public static async Task<PgBouncerProcess> StartAsync(PostgresCluster server, PgBouncerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        var binary = Locate();
        // pgbouncer refuses root as the server does, so it runs as the same OS user the cluster runs as.
        var runner = server.Binaries;
        var bouncer = new PgBouncerProcess(binary, runner, runner.CreatePrivateRoot("prewarm-pgb-"));
        // -d daemonises pgbouncer: it is no child of this process, so only its own dispose (by pid file) can stop it.
        OrphanGuard.Register(bouncer);
        try
        {
            ServerCertificate.WriteTo(bouncer._root, issuer: null);
            PrivateFiles.WriteNew(Path.Combine(bouncer._root, "userlist.txt"), UserList(options));
            await bouncer.StartWithFreePortAsync(server, options, ct).ConfigureAwait(false);
            return bouncer;
        }
        catch
        {
            await bouncer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An Npgsql connection string to pgbouncer with TLS required (the certificate is self-signed, so not validated).</summary>
    public string ConnectionString(string database, string username, string password) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Database = database,
        Username = username,
        Password = password,
        SslMode = SslMode.Require,
    }.ConnectionString;

    /// <summary>Stops pgbouncer (SIGTERM, then SIGKILL after a bounded wait) and deletes its files. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        OrphanGuard.Unregister(this);
        try
        {
            if (ReadPid() is { } pid)
            {
                await StopAsync(pid).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Best effort: deleting the folder below still matters.
        }
        finally
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private async Task StartWithFreePortAsync(PostgresCluster server, PgBouncerOptions options, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            File.WriteAllText(ConfigFile, Config(server, options));
            await _runner.GiveToServiceUserAsync(_root, ct).ConfigureAwait(false);
            var logStart = LogTail.Length(LogFile);
            // -d: pgbouncer daemonises once its configuration is loaded, so a bad file fails here with its exit code.
            var started = await _runner.RunProgramAsync(_binary, ["-d", ConfigFile], _root, StartTimeout, ct).ConfigureAwait(false);
            if (started.Succeeded && await WaitUntilListeningAsync(ct).ConfigureAwait(false))
            {
                return;
            }

            var tail = LogTail.Read(LogFile, logStart);
            if (ReadPid() is { } pid)
            {
                await StopAsync(pid).ConfigureAwait(false);
            }

            if (attempt == FreePort.StartAttempts || !tail.Contains("Address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"pgbouncer did not start on {Host}:{Port} (exit {started.ExitCode}): {started.Output}\n--- pgbouncer log (last lines) ---\n{tail}");
            }
        }
    }

    // No readiness event exists for a daemonised pgbouncer: poll its port, bounded, and stop early if it died.
    private async Task<bool> WaitUntilListeningAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), attempt.Token).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                if (File.Exists(PidFile) && ReadPid() is { } pid && !IsAlive(pid))
                {
                    return false;
                }
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        return false;
    }

    private string Config(PostgresCluster server, PgBouncerOptions options)
    {
        var settings = new List<KeyValuePair<string, string>>
        {
            new("listen_addr", Host),
            new("listen_port", Port.ToString(CultureInfo.InvariantCulture)),
            // No Unix socket: TCP is what the code under test uses, and socket paths only bring permission trouble.
            new("unix_socket_dir", string.Empty),
            new("auth_type", "scram-sha-256"),
            new("auth_file", Path.Combine(_root, "userlist.txt")),
            new("pool_mode", options.PoolMode),
            new("default_pool_size", options.DefaultPoolSize.ToString(CultureInfo.InvariantCulture)),
            new("max_client_conn", options.MaxClientConnections.ToString(CultureInfo.InvariantCulture)),
            // The cluster accepts TLS only (hostssl), as Azure does.
            new("server_tls_sslmode", "require"),
            new("client_tls_sslmode", "require"),
            new("client_tls_cert_file", Path.Combine(_root, ServerCertificate.CertificateFile)),
            new("client_tls_key_file", Path.Combine(_root, ServerCertificate.KeyFile)),
            new("logfile", LogFile),
            new("pidfile", PidFile),
        };
        settings.AddRange(options.Settings);

        var text = new StringBuilder();
        text.Append("[databases]\n* = host=").Append(server.Host).Append(" port=").Append(server.Port.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("[pgbouncer]\n");
        foreach (var (name, value) in settings)
        {
            text.Append(name).Append(" = ").Append(value).Append('\n');
        }

        return text.ToString();
    }

    private static string UserList(PgBouncerOptions options)
    {
        if (options.Users.Count == 0)
        {
            throw new ArgumentException("PgBouncerOptions.Users is empty: pgbouncer would let nobody in.", nameof(options));
        }

        // auth_file format: "name" "password", a double quote doubled inside a value.
        var text = new StringBuilder();
        foreach (var (name, password) in options.Users)
        {
            text.Append('"').Append(name.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\" \"")
                .Append(password.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\"\n");
        }

        return text.ToString();
    }

    private static async Task StopAsync(int pid)
    {
        // SIGTERM is pgbouncer 1.18's immediate shutdown: clients are cut, nothing waits on them.
        await ChildProcess.RunAsync("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)], "/", StopTimeout, CancellationToken.None).ConfigureAwait(false);
        try
        {
            using var process = Process.GetProcessById(pid);
            using var bounded = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    private int? ReadPid()
    {
        try
        {
            return int.TryParse(File.ReadAllText(PidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("PREWARM_PGBOUNCER");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            // A wrong override is a mistake to report, not a reason to quietly use some other binary.
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"{MissingMessage} (PREWARM_PGBOUNCER={configured} does not exist)");
        }

        // Debian installs it in /usr/sbin, which a non-root PATH often lacks.
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"])
            .Select(d => Path.Combine(d, "pgbouncer"))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(MissingMessage);
    }
}
