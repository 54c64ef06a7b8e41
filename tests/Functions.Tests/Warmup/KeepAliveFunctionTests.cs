using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Prewarm.Functions.Tests.Infrastructure;
using Prewarm.Functions.Worker;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Warmup;

// Doubles: FunctionsAppHost stands in for the worker host, and a direct call with a TimerInfo for the timer trigger
// (the timer extension runs in the Functions host). The function, the library and PostgreSQL are real.
[Collection(PostgresTests.Name)]
public sealed class KeepAliveFunctionTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Run_ReplacesKilledConnectionsAndTopsUpToWarmConnections()
    {
        await using var app = await FunctionsAppHost.StartWarmAsync(postgres);
        var warmed = await postgres.Cluster.BackendPidsAsync(app.ApplicationName);
        Assert.Equal(FunctionsAppHost.WarmConnections, warmed.Length);

        var killed = warmed.Take(2).ToList();
        foreach (var pid in killed)
        {
            await postgres.Cluster.TerminateBackendAsync(pid);
        }

        // Past due, as after an instance slept through its schedule: still exactly one pass.
        await new PrewarmKeepAliveFunction().Run(new TimerInfo { IsPastDue = true }, app.Invocation(PrewarmFunctionNames.KeepAlive)).WaitAsync(FunctionsAppHost.Bound);

        var last = app.Services.GetRequiredService<WarmupCoordinator>().LastKeepAlive;
        Assert.NotNull(last);
        Assert.Equal(WarmupState.Warm, last.State);
        Assert.Null(last.LastError);
        // How many dead ones the pass's ping finds depends on Npgsql: it may drop a dead idle connector on open, and a
        // 57P01 (admin shutdown) break makes it clear the idle pool, survivors too. What must hold: every killed
        // connection is replaced, and the pool is back at exactly WarmConnections, topped up by new connections.
        Assert.InRange(last.Replaced, 0, killed.Count);
        Assert.True(last.Opened >= killed.Count, $"opened {last.Opened}, killed {killed.Count}");
        Assert.Equal(FunctionsAppHost.WarmConnections, last.Connections);
        Assert.Equal(0, last.Retired); // the earliest retirement is at 70 % of Npgsql's 3600-s Connection Lifetime

        var after = await postgres.Cluster.BackendPidsAsync(app.ApplicationName);
        Assert.Equal(FunctionsAppHost.WarmConnections, after.Length);
        Assert.DoesNotContain(after, killed.Contains);
    }
}
