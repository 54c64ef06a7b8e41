using Prewarm.Functions.Worker;
using Prewarm.Functions.Tests.Infrastructure;
using Prewarm.Functions.TestHost;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.EndToEnd;

// The real worker process under the test host (which plays the Functions host), the real library, real PostgreSQL.
[Collection(PostgresTests.Name)]
public sealed class WorkerStartupTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Start_WarmupHeldBack_HandshakeCompletesAndConnectionsOpenBeforeTheFirstInvocation()
    {
        // The table lock keeps the warm-up work from finishing, so the pool is provably not warm throughout.
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        await using var app = await WorkerApp.StartAsync(postgres);

        // StartAsync returned: StartStream, WorkerInit and every function load were answered while warm-up ran.
        Assert.True(app.Host.Timeline.Loaded > app.Host.Timeline.Initialized);
        Assert.Contains(PrewarmFunctionNames.Warmup, app.Host.Functions);

        // The warm-up opened its first connection by itself, before any invocation reached the worker. The others open
        // only once that one has done its work (it carries the JIT), which the table lock holds back.
        var warmed = await postgres.Cluster.WaitForBackendCountAsync(app.ApplicationName, 1);
        var firstInvocationSent = await postgres.ClockAsync();
        var health = await app.HealthAsync();

        Assert.Equal(503, health.Status);
        Assert.Contains("\"state\":\"Warming\"", health.Body, StringComparison.Ordinal);
        Assert.Equal(warmed.Length, await postgres.BackendsStartedBeforeAsync(app.ApplicationName, firstInvocationSent));
    }

    [Fact]
    public async Task Start_BadSetting_WorkerStopsAtStart_NamingTheKey()
    {
        var launch = WorkerApp.Launch(postgres, "functions-worker-bad", new Dictionary<string, string?> { ["Prewarm:KeepAliveSchedule"] = "every two minutes" });

        var error = await Assert.ThrowsAsync<WorkerStartException>(() => FunctionsTestHost.StartAsync(launch));

        Assert.NotNull(error.ExitCode);
        Assert.NotEqual(0, error.ExitCode);
        Assert.Contains("exited", error.Message, StringComparison.Ordinal);
        Assert.Contains("Prewarm:KeepAliveSchedule", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain(PostgresFixture.AppPassword, error.Message, StringComparison.Ordinal);
    }
}
