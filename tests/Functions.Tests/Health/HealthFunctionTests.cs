using Prewarm.Functions.Worker;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Npgsql;
using Prewarm.Functions.Health;
using Prewarm.Functions.Tests.Doubles;
using Prewarm.Functions.Tests.Infrastructure;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Health;

// Doubles: FunctionsAppHost stands in for the worker host, HttpExchange for the proxied request. The function's
// IResult is executed on it as the ASP.NET Core integration does. The library and PostgreSQL are real.
[Collection(PostgresTests.Name)]
public sealed class HealthFunctionTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Run_Warm_ReportsStateReportsAndPoolNumbers()
    {
        await using var app = await FunctionsAppHost.StartWarmAsync(postgres);
        await new PrewarmKeepAliveFunction().Run(new TimerInfo(), app.Invocation(PrewarmFunctionNames.KeepAlive)).WaitAsync(FunctionsAppHost.Bound);

        var http = new HttpExchange(app.Services);
        await http.ExecuteAsync(app.Function<HealthFunction>().Run(http.Request));

        Assert.Equal(200, http.Status);
        var json = http.Json;
        Assert.Equal("postgres", json.GetProperty("name").GetString());
        Assert.Equal("Warm", json.GetProperty("state").GetString());
        Assert.Equal(FunctionsAppHost.WarmConnections, json.GetProperty("pool").GetProperty("idle").GetInt32());
        Assert.Equal(0, json.GetProperty("pool").GetProperty("busy").GetInt32());
        Assert.Equal(new NpgsqlConnectionStringBuilder().MaxPoolSize, json.GetProperty("pool").GetProperty("max").GetInt32());
        var lastWarmup = json.GetProperty("lastWarmup");
        Assert.Equal(FunctionsAppHost.WarmConnections, lastWarmup.GetProperty("connectionsRequested").GetInt32());
        Assert.Equal(FunctionsAppHost.WarmConnections, lastWarmup.GetProperty("connectionsWarmed").GetInt32());
        Assert.Equal("Warm", lastWarmup.GetProperty("state").GetString());
        Assert.True(lastWarmup.TryGetProperty("firstConnectionReady", out _));
        // Timing per phase is the meter's (prewarm.warmup.phase.duration), not the report's.
        Assert.False(lastWarmup.TryGetProperty("phases", out _));
        var lastKeepAlive = json.GetProperty("lastKeepAlive");
        Assert.Equal(FunctionsAppHost.WarmConnections, lastKeepAlive.GetProperty("validated").GetInt32());
        Assert.Equal(FunctionsAppHost.WarmConnections, lastKeepAlive.GetProperty("connections").GetInt32());
        Assert.Equal(0, lastKeepAlive.GetProperty("retired").GetInt32());
        AssertNoSecret(http.Body);
    }

    [Fact]
    public async Task Run_WrongPassword_ReportsWhyWithoutTheSecret()
    {
        // The secret to look for is the one in the connection string; the server rejects it.
        var wrongPassword = "wrong-" + Guid.NewGuid().ToString("N");
        await using var app = FunctionsAppHost.Create(postgres, new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = new NpgsqlConnectionStringBuilder(postgres.AppConnectionString("functions-test-wrong-password")) { Password = wrongPassword }.ConnectionString,
        });
        await app.StartAsync();
        Assert.False(await app.Coordinator.WaitForWarmAsync());

        var http = new HttpExchange(app.Services);
        await http.ExecuteAsync(app.Function<HealthFunction>().Run(http.Request));

        Assert.Equal(503, http.Status);
        var lastWarmup = http.Json.GetProperty("lastWarmup");
        Assert.Contains("28P01", lastWarmup.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrongPassword, http.Body, StringComparison.Ordinal);
        AssertNoSecret(http.Body);
    }

    private static void AssertNoSecret(string body)
    {
        Assert.DoesNotContain(PostgresFixture.AppPassword, body, StringComparison.Ordinal);
        Assert.DoesNotContain("password=", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Host=", body, StringComparison.OrdinalIgnoreCase);
        _ = JsonDocument.Parse(body);
    }
}
