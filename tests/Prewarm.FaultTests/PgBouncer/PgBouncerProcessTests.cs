using System.Net;
using System.Net.Sockets;
using Npgsql;
using Prewarm.FaultTests.Infrastructure;
using Prewarm.LocalPostgres;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.FaultTests.PgBouncer;

// The launcher itself: it must say what is wrong instead of hanging, and leave nothing running behind.
public sealed class PgBouncerProcessTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task MissingBinary_FailsAtOnce_SayingHowToInstallIt()
    {
        var previous = Environment.GetEnvironmentVariable("PREWARM_PGBOUNCER");
        Environment.SetEnvironmentVariable("PREWARM_PGBOUNCER", "/nonexistent/pgbouncer");
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PgBouncerProcess.StartAsync(pg.Cluster, AppUserOptions()).Within());
            Assert.Contains("apt-get install -y pgbouncer", error.Message, StringComparison.Ordinal);
            Assert.Contains("/nonexistent/pgbouncer", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PREWARM_PGBOUNCER", previous);
        }
    }

    [Fact]
    public async Task BadConfiguration_FailsWithPgBouncersOwnWords()
    {
        var options = AppUserOptions();
        options.PoolMode = "sometimes";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PgBouncerProcess.StartAsync(pg.Cluster, options).Within());

        Assert.Contains("pgbouncer did not start", error.Message, StringComparison.Ordinal);
        Assert.Contains("sometimes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Started_ServesTlsAndScram_AndDisposeStopsIt()
    {
        var bouncer = await PgBouncerProcess.StartAsync(pg.Cluster, AppUserOptions()).Within();
        int port;
        try
        {
            port = bouncer.Port;
            await using var connection = new NpgsqlConnection(bouncer.ConnectionString(PostgresFixture.AppDatabase, PostgresFixture.AppUser, PostgresFixture.AppPassword));
            await connection.OpenAsync().Within();
            await using var command = new NpgsqlCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
            // SslMode=Require made the client side TLS; the server side of pgbouncer's link must be too.
            Assert.True((bool)(await command.ExecuteScalarAsync().Within())!);
        }
        finally
        {
            await bouncer.DisposeAsync().AsTask().Within();
        }

        // Dispose waited for the process to exit, so its port refuses connections now.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).Within());
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    private static PgBouncerOptions AppUserOptions()
    {
        var options = new PgBouncerOptions();
        options.Users[PostgresFixture.AppUser] = PostgresFixture.AppPassword;
        return options;
    }
}
