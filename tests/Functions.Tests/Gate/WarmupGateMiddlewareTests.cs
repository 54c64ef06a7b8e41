using System.Diagnostics.Metrics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Npgsql;
using Prewarm.Functions.Api;
using Prewarm.Functions.Worker;
using Prewarm.Functions.Health;
using Prewarm.Functions.Tests.Doubles;
using Prewarm.Functions.Tests.Infrastructure;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Gate;

// Doubles: FunctionsAppHost stands in for the worker host, TestFunctionContext for the worker's FunctionContext,
// HttpExchange for the request the ASP.NET Core integration proxies. The gate, the functions, the library and
// PostgreSQL are the real ones.
[Collection(PostgresTests.Name)]
public sealed class PrewarmGateMiddlewareTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Invoke_DuringWarmup_WaitsThenRunsOnAWarmedConnection()
    {
        // Locked before the app exists: AddPrewarmedNpgsql already begins the warm-up.
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        await using var app = FunctionsAppHost.Create(postgres);
        using var metrics = GateInvocations(app);
        await app.StartAsync();
        // Cold until the early warm-up's own thread has begun its run, Warming after; never Warm while the lock is held.
        Assert.NotEqual(WarmupState.Warm, app.Coordinator.State);

        WarmupState? stateWhenRun = null;
        int[] warmedPids = [];
        int? invocationPid = null;
        HttpExchange? http = null;
        var invocation = app.Gate.Invoke(app.Invocation(FunctionNames.GetOrders, http = new HttpExchange(app.Services)), async context =>
        {
            stateWhenRun = app.Coordinator.State;
            warmedPids = await postgres.Cluster.BackendPidsAsync(app.ApplicationName);
            // The connection the invocation gets, read before the function's query: after that query the library opens
            // the others, and an open of the invocation's own in that instant is the case ConnectionWarmer leaves open.
            await using (var connection = await app.DataSource.OpenConnectionAsync())
            {
                invocationPid = connection.ProcessID;
            }

            var result = await app.Function<OrdersApi>().GetOrders(http.Request, 1, context.CancellationToken);
            await http.ExecuteAsync(result);
        });

        // The table lock keeps the warm-up from finishing, so the invocation cannot have run yet.
        Assert.False(invocation.IsCompleted);
        Assert.Null(stateWhenRun);

        await tableLock.ReleaseAsync();
        await invocation.WaitAsync(FunctionsAppHost.Bound);

        // Progressive readiness: the gate opened as soon as the first connection was warm, the rest still warming.
        Assert.True(stateWhenRun is WarmupState.Warming or WarmupState.Warm, $"ran while {stateWhenRun}");
        Assert.Equal(200, http.Status);
        Assert.Equal(20, http.Json.GetArrayLength());
        Assert.Contains(invocationPid!.Value, warmedPids);
        // No cold connection of the invocation's own: once warm, the server shows exactly the N warmed backends.
        await app.Coordinator.EnsureWarmAsync().WaitAsync(FunctionsAppHost.Bound);
        var afterWarm = await postgres.Cluster.BackendPidsAsync(app.ApplicationName);
        Assert.Equal(FunctionsAppHost.WarmConnections, afterWarm.Length);
        Assert.Contains(invocationPid.Value, afterWarm);
        Assert.Equal(["cold"], Outcomes(metrics, FunctionNames.GetOrders));

        // The next invocation finds the pool warm and is counted as such.
        await app.Gate.Invoke(app.Invocation(FunctionNames.GetOrders), _ => Task.CompletedTask).WaitAsync(FunctionsAppHost.Bound);
        Assert.Equal(["cold", "warm"], Outcomes(metrics, FunctionNames.GetOrders));
    }

    [Fact]
    public async Task Invoke_WarmupOutlastsGateTimeout_HttpGets503WithRetryAfter_OtherTriggersThrow()
    {
        await using var app = FunctionsAppHost.Create(postgres, new Dictionary<string, string?> { ["Prewarm:postgres:GateTimeout"] = "00:00:00.300" });
        using var metrics = GateInvocations(app);
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        await app.StartAsync();

        var nextRan = false;
        var http = new HttpExchange(app.Services);
        await app.Gate.Invoke(app.Invocation(FunctionNames.GetOrders, http), _ => { nextRan = true; return Task.CompletedTask; }).WaitAsync(FunctionsAppHost.Bound);

        Assert.False(nextRan);
        Assert.Equal(503, http.Status);
        Assert.Equal("1", http.Context.Response.Headers.RetryAfter.ToString());
        Assert.Contains("not ready", http.Body, StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<DatabaseNotReadyException>(() =>
            app.Gate.Invoke(app.Invocation("ProcessQueueMessage"), _ => { nextRan = true; return Task.CompletedTask; }).WaitAsync(FunctionsAppHost.Bound));
        Assert.False(nextRan);
        Assert.Contains("ProcessQueueMessage", error.Message, StringComparison.Ordinal);
        Assert.Equal(["rejected"], Outcomes(metrics, FunctionNames.GetOrders));
    }

    [Fact]
    public async Task Invoke_DatabaseDown_Gets503_HealthSaysWhy_AndRunsAgainOnceTheDatabaseIsBack()
    {
        await using var app = FunctionsAppHost.Create(postgres);
        await postgres.Cluster.StopAsync();
        try
        {
            await app.StartAsync();

            var nextRan = false;
            var http = new HttpExchange(app.Services);
            await app.Gate.Invoke(app.Invocation(FunctionNames.GetOrders, http), _ => { nextRan = true; return Task.CompletedTask; }).WaitAsync(FunctionsAppHost.Bound);

            Assert.False(nextRan);
            Assert.Equal(503, http.Status);
            Assert.True(int.Parse(http.Context.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);

            var health = await new HttpExchange(app.Services).ExecuteAsync(app.Function<HealthFunction>().Run(new HttpExchange(app.Services).Request));
            Assert.Equal(503, health.Status);
            Assert.NotEqual("Warm", health.Json.GetProperty("state").GetString());
            Assert.False(string.IsNullOrEmpty(health.Json.GetProperty("lastWarmup").GetProperty("lastError").GetString()));
            Assert.DoesNotContain(PostgresFixture.AppPassword, health.Body, StringComparison.Ordinal);
        }
        finally
        {
            await postgres.Cluster.StartAsync();
        }

        // The next timer tick finds the database back: the pass joins (or starts) a warm-up run, which now succeeds.
        await new PrewarmKeepAliveFunction().Run(new TimerInfo(), app.Invocation(PrewarmFunctionNames.KeepAlive)).WaitAsync(FunctionsAppHost.Bound);
        Assert.Equal(WarmupState.Warm, app.Coordinator.State);

        var again = new HttpExchange(app.Services);
        await app.Gate.Invoke(app.Invocation(FunctionNames.GetOrders, again), async context =>
            await again.ExecuteAsync(await app.Function<OrdersApi>().GetOrders(again.Request, 2, context.CancellationToken))).WaitAsync(FunctionsAppHost.Bound);
        Assert.Equal(200, again.Status);
        Assert.Equal(20, again.Json.GetArrayLength());
    }

    [Theory]
    [InlineData(PrewarmFunctionNames.Warmup)]
    [InlineData(PrewarmFunctionNames.KeepAlive)]
    [InlineData(FunctionNames.Health)]
    public async Task Invoke_GateBypassingFunction_RunsAtOnceWhileCold(string functionName)
    {
        // Locked before the app exists: AddPrewarmedNpgsql already begins the warm-up.
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        await using var app = FunctionsAppHost.Create(postgres);
        using var metrics = GateInvocations(app);
        await app.StartAsync();

        WarmupState? stateWhenRun = null;
        var invocation = app.Gate.Invoke(app.Invocation(functionName), _ => { stateWhenRun = app.Coordinator.State; return Task.CompletedTask; });

        // Completed synchronously: the gate did not wait, though the warm-up cannot finish while the lock is held.
        Assert.True(invocation.IsCompletedSuccessfully);
        Assert.True(stateWhenRun is WarmupState.Cold or WarmupState.Warming, $"ran while {stateWhenRun}");
        Assert.Empty(Outcomes(metrics, functionName));
    }

    [Fact]
    public async Task Invoke_GatedFunction_DoesNotRunWhileCold()
    {
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        await using var app = FunctionsAppHost.Create(postgres);
        await app.StartAsync();

        var invocation = app.Gate.Invoke(app.Invocation(FunctionNames.PlaceOrder), _ => Task.CompletedTask);

        // The counterpart of the bypass test: the same setup holds an ordinary function at the gate.
        Assert.False(invocation.IsCompleted);
        await tableLock.ReleaseAsync();
        await invocation.WaitAsync(FunctionsAppHost.Bound);
    }

    [Fact]
    public async Task Invoke_FunctionMeetsDeadServer_RethrowsAndLaterInvocationsWaitForTheReWarm()
    {
        await using var app = await FunctionsAppHost.StartWarmAsync(postgres);
        var before = await postgres.Cluster.BackendPidsAsync(app.ApplicationName);
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        var serverGone = new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown);

        var thrown = await Assert.ThrowsAsync<PostgresException>(() =>
            app.Gate.Invoke(app.Invocation(FunctionNames.GetOrders), _ => throw serverGone).WaitAsync(FunctionsAppHost.Bound));

        // Rethrown as is, and the library re-warms; the table lock holds that re-warm back, so the state is observable.
        Assert.Same(serverGone, thrown);
        Assert.Equal(WarmupState.Warming, app.Coordinator.State);
        var later = app.Gate.Invoke(app.Invocation(FunctionNames.GetOrders), _ => Task.CompletedTask);
        Assert.False(later.IsCompleted);

        await tableLock.ReleaseAsync();
        await later.WaitAsync(FunctionsAppHost.Bound);
        // The gate let it through with the first fresh connection; the re-warm goes on to N.
        Assert.Equal(WarmupState.Warm, (await app.Coordinator.EnsureWarmAsync().WaitAsync(FunctionsAppHost.Bound)).State);
        var after = await postgres.Cluster.BackendPidsAsync(app.ApplicationName);
        Assert.Equal(FunctionsAppHost.WarmConnections, after.Length);
        Assert.Empty(after.Intersect(before));
    }

    [Fact]
    public async Task Invoke_FunctionFailsOtherwise_RethrowsAndThePoolStaysWarm()
    {
        await using var app = await FunctionsAppHost.StartWarmAsync(postgres);
        var failure = new InvalidOperationException("a bug in the function");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            app.Gate.Invoke(app.Invocation(FunctionNames.GetOrders), _ => throw failure).WaitAsync(FunctionsAppHost.Bound));

        Assert.Same(failure, thrown);
        Assert.Equal(WarmupState.Warm, app.Coordinator.State);
    }

    // The gate's invocation counter of this host only: meters from its IMeterFactory carry that factory as their scope.
    private static MetricCollector<long> GateInvocations(FunctionsAppHost app) =>
        new(app.Services.GetRequiredService<IMeterFactory>(), GateMetrics.MeterName, GateMetrics.InvocationsInstrument);

    private static string[] Outcomes(MetricCollector<long> metrics, string function) =>
        [.. metrics.GetMeasurementSnapshot().Where(m => m.Tags["faas.name"] as string == function).Select(m => (string)m.Tags["prewarm.gate"]!)];
}
