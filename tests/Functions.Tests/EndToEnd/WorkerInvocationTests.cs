using Prewarm.Functions.Worker;
using System.Text.Json;
using Prewarm.Functions.Tests.Infrastructure;
using Prewarm.Functions.TestHost;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.EndToEnd;

// Invocations as the host sends them, through the real worker's middleware pipeline (the ASP.NET Core integration,
// then the gate), its trigger bindings and its functions, against real PostgreSQL. Evidence comes from the server
// (pg_stat_activity) and from the worker's own answers, never from timing.
[Collection(PostgresTests.Name)]
public sealed class WorkerInvocationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task HttpInvocation_DuringWarmup_WaitsAtTheGate_ThenRunsOnAWarmedBackend()
    {
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        await using var app = await WorkerApp.StartAsync(postgres);
        // The first connection is open and held in its work by the lock; the others follow it once it is warm.
        var first = await postgres.Cluster.WaitForBackendCountAsync(app.ApplicationName, 1);
        var sentAt = await postgres.ClockAsync();

        var orders = app.Host.InvokeHttpAsync(FunctionNames.GetOrders, HttpMethod.Get, "customers/1/orders");
        // Health bypasses the gate: it answers while GetOrders waits, and the lock keeps the pool from turning warm.
        Assert.Equal("Warming", await app.StateAsync());
        Assert.False(orders.IsCompleted);

        await tableLock.ReleaseAsync();
        var response = await orders;

        Assert.True(response.Invocation.Succeeded, response.Invocation.Error);
        Assert.Equal(200, response.Status);
        Assert.Equal(20, JsonDocument.Parse(response.Body).RootElement.GetArrayLength());
        // It ran on the warmed first connection, opened before the request was sent: once the warm-up is done (the
        // Warmup trigger returns only then) the server shows the N warm backends and no cold one of the request's own.
        Assert.True((await app.Host.InvokeAsync(PrewarmFunctionNames.Warmup, TriggerInput.Warmup)).Succeeded);
        var backends = await postgres.Cluster.BackendPidsAsync(app.ApplicationName);
        Assert.Equal(AppSettings.WarmConnections, backends.Length);
        Assert.Contains(first[0], backends);
        Assert.Equal(1, await postgres.BackendsStartedBeforeAsync(app.ApplicationName, sentAt));
        Assert.Equal("Warm", await app.StateAsync());
    }

    [Fact]
    public async Task HttpInvocation_DatabaseDown_Answers503WithRetryAfter_AndHealthSaysWhyWithoutTheSecret()
    {
        await postgres.Cluster.StopAsync();
        try
        {
            await using var app = await WorkerApp.StartAsync(postgres);

            var response = await app.Host.InvokeHttpAsync(FunctionNames.GetOrders, HttpMethod.Get, "customers/1/orders");

            Assert.Equal(503, response.Status);
            Assert.True(int.Parse(response.Headers["Retry-After"], System.Globalization.CultureInfo.InvariantCulture) >= 1);
            Assert.Contains("not ready", response.Body, StringComparison.Ordinal);
            // The gate wrote the response itself; the invocation is not a failure the host would retry.
            Assert.True(response.Invocation.Succeeded, response.Invocation.Error);

            var health = await app.HealthAsync();
            Assert.Equal(503, health.Status);
            var lastError = JsonDocument.Parse(health.Body).RootElement.GetProperty("lastWarmup").GetProperty("lastError").GetString();
            Assert.False(string.IsNullOrEmpty(lastError));
            AssertNoSecret(app, health.Body);
        }
        finally
        {
            await postgres.Cluster.StartAsync();
        }
    }

    [Fact]
    public async Task Health_Warm_ReportsThePoolAndLeaksNoSecret()
    {
        await using var app = await WorkerApp.StartAsync(postgres);
        Assert.True((await app.Host.InvokeAsync(PrewarmFunctionNames.Warmup, TriggerInput.Warmup)).Succeeded);

        var health = await app.HealthAsync();

        Assert.Equal(200, health.Status);
        var root = JsonDocument.Parse(health.Body).RootElement;
        Assert.Equal("Warm", root.GetProperty("state").GetString());
        Assert.Equal(AppSettings.WarmConnections, root.GetProperty("lastWarmup").GetProperty("connectionsWarmed").GetInt32());
        AssertNoSecret(app, health.Body);
    }

    [Fact]
    public async Task WarmupInvocation_ReturnsOnlyOnceThePoolIsWarm()
    {
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        await using var app = await WorkerApp.StartAsync(postgres);

        var warmup = app.Host.InvokeAsync(PrewarmFunctionNames.Warmup, TriggerInput.Warmup);
        // Answered by the same worker after the Warmup invocation was sent: Warmup is still waiting, the pool is not warm.
        Assert.Equal("Warming", await app.StateAsync());
        Assert.False(warmup.IsCompleted);

        await tableLock.ReleaseAsync();
        var result = await warmup;

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("Warm", await app.StateAsync());
        Assert.Equal(AppSettings.WarmConnections, (await postgres.Cluster.BackendPidsAsync(app.ApplicationName)).Length);
    }

    [Fact]
    public async Task KeepAliveTimerInvocation_ReplacesTerminatedBackends()
    {
        await using var app = await WorkerApp.StartAsync(postgres);
        Assert.True((await app.Host.InvokeAsync(PrewarmFunctionNames.Warmup, TriggerInput.Warmup)).Succeeded);
        var before = await postgres.Cluster.BackendPidsAsync(app.ApplicationName);
        Assert.Equal(AppSettings.WarmConnections, before.Length);
        await postgres.Cluster.TerminateBackendAsync(before[0]);
        await postgres.Cluster.TerminateBackendAsync(before[1]);

        var result = await app.Host.InvokeAsync(PrewarmFunctionNames.KeepAlive, TriggerInput.Timer(isPastDue: true));

        Assert.True(result.Succeeded, result.Error);
        var after = await postgres.Cluster.BackendPidsAsync(app.ApplicationName);
        Assert.Equal(AppSettings.WarmConnections, after.Length);
        Assert.DoesNotContain(before[0], after);
        Assert.DoesNotContain(before[1], after);
        // The timer payload arrived as TimerInfo: the function saw it past due and logged so.
        Assert.Contains(app.Host.RpcLogs, l => l.Contains("KeepAlive: past due", StringComparison.Ordinal));
        Assert.Equal("Warm", await app.StateAsync());
    }

    private static void AssertNoSecret(WorkerApp app, string body)
    {
        Assert.DoesNotContain(app.Password, body, StringComparison.Ordinal);
        Assert.DoesNotContain(app.RpcLogsAndOutput(), l => l.Contains(app.Password, StringComparison.Ordinal));
    }
}
