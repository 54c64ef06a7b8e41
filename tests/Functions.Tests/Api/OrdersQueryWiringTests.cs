using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Prewarm.Functions.Api;
using Prewarm.Functions.Tests.Doubles;
using Prewarm.Functions.Tests.Infrastructure;
using Prewarm.LocalPostgres;
using Prewarm.SampleData;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Api;

// Prewarm:postgres:PgBouncer is the app's one switch for transaction pooling: it configures the pool (library) and
// decides whether the sample query prepares (FunctionsAppSetup). Real PostgreSQL, real pgbouncer, real functions.
[Collection(PostgresTests.Name)]
public sealed class OrdersQueryWiringTests(PostgresFixture postgres)
{
    private const int Rounds = 5;

    [Fact]
    public async Task Direct_WarmupLeavesTheSampleQueryPrepared_OnTheConnectionRequestsGet()
    {
        await using var app = await FunctionsAppHost.StartWarmAsync(postgres);
        Assert.True(app.Services.GetRequiredService<OrdersQuery>().Prepares);

        // Warm-up ran the query on every warmed connection, so whichever one the pool hands out holds the statement.
        await using var connection = await app.DataSource.OpenConnectionAsync().AsTask().WaitAsync(FunctionsAppHost.Bound);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = OrdersQuery.Sql });
        Assert.Equal(1L, await command.ExecuteScalarAsync().WaitAsync(FunctionsAppHost.Bound));
    }

    [Fact]
    public async Task ThroughPgBouncerInTransactionMode_WarmsAndGetOrdersServesConcurrentCallsRepeatedly()
    {
        // Fewer server connections than the calls below, so transactions of different clients share them.
        var options = new PgBouncerOptions { DefaultPoolSize = FunctionsAppHost.WarmConnections };
        options.Users[PostgresFixture.AppUser] = PostgresFixture.AppPassword;
        await using var bouncer = await PgBouncerProcess.StartAsync(postgres.Cluster, options).WaitAsync(FunctionsAppHost.Bound);
        await using var app = FunctionsAppHost.Create(postgres, new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = bouncer.ConnectionString(PostgresFixture.AppDatabase, PostgresFixture.AppUser, PostgresFixture.AppPassword),
            ["Prewarm:postgres:PgBouncer"] = "true",
        });
        Assert.False(app.Services.GetRequiredService<OrdersQuery>().Prepares);
        await app.StartAsync();

        var report = await app.Coordinator.EnsureWarmAsync().WaitAsync(FunctionsAppHost.Bound);
        Assert.True(report.State == WarmupState.Warm, $"warm-up through pgbouncer: {report.State}, {report.LastError}");

        var customers = Enumerable.Range(1, 2 * FunctionsAppHost.WarmConnections).ToList();
        for (var round = 0; round < Rounds; round++)
        {
            var calls = await Task.WhenAll(customers.Select(async customer =>
            {
                var http = new HttpExchange(app.Services);
                return await http.ExecuteAsync(await app.Function<OrdersApi>().GetOrders(http.Request, customer, CancellationToken.None));
            })).WaitAsync(FunctionsAppHost.Bound);

            for (var i = 0; i < customers.Count; i++)
            {
                Assert.Equal(200, calls[i].Status);
                var orders = calls[i].Json.EnumerateArray().ToList();
                Assert.Equal(OrdersQuery.Limit, orders.Count);
                Assert.All(orders, o => Assert.Equal(customers[i], o.GetProperty("customerId").GetInt32()));
            }
        }
    }
}
