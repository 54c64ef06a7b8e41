using Prewarm.Functions.Worker;
using Prewarm.Functions.Tests.Infrastructure;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Warmup;

// Doubles: FunctionsAppHost stands in for the worker host, and a direct call for the Warmup trigger (which only the
// Functions host fires, on scale-out of Premium and Dedicated plans). The function, the library and PostgreSQL are real.
[Collection(PostgresTests.Name)]
public sealed class WarmupFunctionTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Run_ReturnsOnlyWhenThePoolIsWarm()
    {
        // Locked before the app exists: AddPrewarmedNpgsql already begins the warm-up.
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        await using var app = FunctionsAppHost.Create(postgres);
        await app.StartAsync();

        var run = new PrewarmWarmupFunction().Run(new object(), app.Invocation(PrewarmFunctionNames.Warmup));

        // The table lock keeps the warm-up from finishing: the function must still be waiting.
        Assert.False(run.IsCompleted);

        await tableLock.ReleaseAsync();
        await run.WaitAsync(FunctionsAppHost.Bound);

        Assert.Equal(WarmupState.Warm, app.Coordinator.State);
        Assert.Equal(FunctionsAppHost.WarmConnections, (await postgres.Cluster.BackendPidsAsync(app.ApplicationName)).Length);
    }

    [Fact]
    public async Task Run_NotWarmWithinItsBound_Throws()
    {
        await using var app = FunctionsAppHost.Create(postgres, new Dictionary<string, string?> { ["Prewarm:WarmupFunctionTimeout"] = "00:00:00.300" });
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        await app.StartAsync();

        var error = await Assert.ThrowsAsync<DatabaseNotReadyException>(() =>
            new PrewarmWarmupFunction().Run(new object(), app.Invocation(PrewarmFunctionNames.Warmup)).WaitAsync(FunctionsAppHost.Bound));

        Assert.Contains("not warm", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(WarmupState.Warm, app.Coordinator.State);
    }
}
