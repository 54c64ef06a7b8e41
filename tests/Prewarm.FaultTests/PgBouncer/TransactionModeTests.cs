using Npgsql;
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
    public async Task TheSampleQuery_ThroughPgBouncer_WarmsAndServesRepeatedly()
    {
        OrdersQuery? ordersQuery = null;
        await using var app = TestApp.Create(BouncerConnectionString(), s =>
        {
            s.WarmConnections = N;
            s.PgBouncer = true;
            // As the Functions app and the sample app wire it: the library's switch decides whether the query prepares.
            ordersQuery = new OrdersQuery(behindPgBouncer: s.PgBouncer);
            s.WarmupWork = ordersQuery.WarmAsync;
        });
        var query = ordersQuery ?? throw new InvalidOperationException("The settings delegate did not run.");
        Assert.False(query.Prepares);
        await app.StartAsync();

        var report = await app.Coordinator.EnsureWarmAsync().Within();
        output.WriteLine($"warm-up through pgbouncer: {report.State}, {report.ConnectionsWarmed}/{N}, {report.Attempts} attempts, {report.LastError}");
        Assert.Equal(WarmupState.Warm, report.State);
        Assert.Equal(N, report.ConnectionsWarmed);

        // Twice the pool at once: pgbouncer hands each transaction whichever server connection is free, so any
        // per-connection server state (a prepared statement, a DISCARD ALL) would surface here as 26000 or 42P05.
        for (var round = 0; round < Rounds; round++)
        {
            var customers = Enumerable.Range(1, 2 * N).ToList();
            var results = await Task.WhenAll(customers.Select(async customer =>
            {
                await using var connection = await app.DataSource.OpenConnectionAsync();
                return await query.RunAsync(connection, customer, s_since);
            })).Within();

            for (var i = 0; i < customers.Count; i++)
            {
                // The seed gives customers 1..20 exactly Limit orders each, all after s_since: every one of them, theirs only.
                Assert.Equal(OrdersQuery.Limit, results[i].Count);
                Assert.All(results[i], order => Assert.Equal(customers[i], order.CustomerId));
                Assert.All(results[i], order => Assert.True(order.PlacedAt >= s_since));
                var placed = results[i].Select(order => order.PlacedAt).ToList();
                Assert.Equal(placed.OrderDescending(), placed);
            }

            var pass = await app.Coordinator.RunKeepAliveAsync().Within();
            Assert.Null(pass.LastError);
        }

        output.WriteLine($"{Rounds} rounds of {2 * N} sample queries through pgbouncer (pool_mode=transaction, default_pool_size={N}): all served");
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

    private string BouncerConnectionString(string? extra = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(Bouncer.ConnectionString(PostgresFixture.AppDatabase, PostgresFixture.AppUser, PostgresFixture.AppPassword))
        {
            ApplicationName = "t-" + Guid.NewGuid().ToString("N")[..12],
        };
        return extra is null ? builder.ConnectionString : $"{builder.ConnectionString};{extra}";
    }
}
