using Npgsql;
using NpgsqlTypes;
using Prewarm.FaultTests.Infrastructure;
using Prewarm.LocalPostgres;
using Prewarm.SampleData;
using Prewarm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Prewarm.FaultTests.PgBouncer;

// A real pgbouncer in transaction mode, TLS on both sides, as Azure Flexible Server's built-in one on 6432.
public sealed class TransactionModeTests(PostgresFixture pg, ITestOutputHelper output) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private const int N = 3;
    private const int Rounds = 10;
    private static readonly DateTimeOffset s_since = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private PgBouncerProcess? _bouncer;

    private PgBouncerProcess Bouncer => _bouncer ?? throw new InvalidOperationException("pgbouncer is not started.");

    public async Task InitializeAsync()
    {
        // Fewer server connections than the clients below hold, so transactions of different clients share them.
        var options = new PgBouncerOptions { DefaultPoolSize = N };
        options.Users[PostgresFixture.AppUser] = PostgresFixture.AppPassword;
        _bouncer = await PgBouncerProcess.StartAsync(pg.Cluster, options);
        await using var direct = NpgsqlDataSource.Create(pg.AppConnectionString(out _));
        await SampleSchema.EnsureAsync(direct);
    }

    public async Task DisposeAsync()
    {
        if (_bouncer is not null)
        {
            await _bouncer.DisposeAsync();
        }
    }

    [Fact]
    public async Task WarmupAndTheSampleSql_ThroughPgBouncer_WorkRepeatedly()
    {
        await using var app = TestApp.Create(BouncerConnectionString(), s =>
        {
            s.WarmConnections = N;
            s.PgBouncer = true;
            s.WarmupWork = async (connection, ct) => Assert.Equal(OrdersQuery.Limit, await RunSampleSqlAsync(connection, 1, ct));
        });
        await app.StartAsync();

        var report = await app.Coordinator.EnsureWarmAsync().Within();
        output.WriteLine($"warm-up through pgbouncer: {report.State}, {report.ConnectionsWarmed}/{N}, {report.Attempts} attempts, {report.LastError}");
        Assert.Equal(WarmupState.Warm, report.State);
        Assert.Equal(N, report.ConnectionsWarmed);

        // Twice the pool at once: pgbouncer hands each transaction whichever server connection is free, so any
        // per-connection server state (a prepared statement, a DISCARD ALL) would surface here as 26000 or 42P05.
        for (var round = 0; round < Rounds; round++)
        {
            var rows = await Task.WhenAll(Enumerable.Range(1, 2 * N).Select(async customer =>
            {
                await using var connection = await app.DataSource.OpenConnectionAsync();
                return await RunSampleSqlAsync(connection, customer, CancellationToken.None);
            })).Within();
            Assert.All(rows, r => Assert.Equal(OrdersQuery.Limit, r));

            var pass = await app.Coordinator.RunKeepAliveAsync().Within();
            Assert.Null(pass.LastError);
        }

        output.WriteLine($"{Rounds} rounds of {2 * N} sample queries through pgbouncer (pool_mode=transaction, default_pool_size={N}): all served");
    }

    [Fact(Skip = "needs SampleData: OrdersQuery.RunAsync calls PrepareAsync, and pgbouncer 1.18 (Debian's) in transaction mode fails it with 42P05 '_p1 already exists' / 26000; only pgbouncer >= 1.21 with max_prepared_statements > 0 keeps protocol-level prepared statements")]
    public async Task TheSampleQueryAsShipped_ThroughPgBouncer_WorksRepeatedly()
    {
        await using var app = TestApp.Create(BouncerConnectionString(), s =>
        {
            s.WarmConnections = N;
            s.PgBouncer = true;
            s.WarmupWork = OrdersQuery.WarmAsync;
        });
        await app.StartAsync();
        Assert.Equal(WarmupState.Warm, (await app.Coordinator.EnsureWarmAsync().Within()).State);

        for (var round = 0; round < Rounds; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(1, 2 * N).Select(async customer =>
            {
                await using var connection = await app.DataSource.OpenConnectionAsync();
                return await OrdersQuery.RunAsync(connection, customer, s_since);
            })).Within();
            Assert.All(results, orders => Assert.Equal(OrdersQuery.Limit, orders.Count));
        }
    }

    [Fact]
    public async Task PgBouncerMode_WithAutoPrepare_IsRejectedAtStartup_NamingTheKey()
    {
        var error = await Record.ExceptionAsync(async () =>
        {
            await using var app = TestApp.Create(BouncerConnectionString("Max Auto Prepare=10"), s => s.PgBouncer = true);
            await app.StartAsync();
        });

        Assert.NotNull(error);
        Assert.Contains("Max Auto Prepare", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    // OrdersQuery.Sql as an app behind transaction pooling runs it: unprepared, so no server-side state outlives the statement.
    private static async Task<int> RunSampleSqlAsync(NpgsqlConnection connection, int customer, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(OrdersQuery.Sql, connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = customer });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = s_since, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = 0;
        while (await reader.ReadAsync(ct))
        {
            rows++;
        }

        return rows;
    }

    private string BouncerConnectionString(string? extra = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(Bouncer.ConnectionString(PostgresFixture.AppDatabase, PostgresFixture.AppUser, PostgresFixture.AppPassword))
        {
            ApplicationName = "t-" + Guid.NewGuid().ToString("N")[..12],
        };
        return extra is null ? builder.ConnectionString : $"{builder.ConnectionString};{extra}";
    }
}
