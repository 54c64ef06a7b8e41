using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Diagnostics;

[Collection(PostgresTests.Name)]
public sealed class SecretLeakTests(PostgresFixture pg)
{
    [Fact]
    public async Task NoPasswordOrConnectionString_InLogsReportsOrHealth_OnSuccessOrFailure()
    {
        const string wrongPassword = "wrong-pw-5e1d77c2-secret";
        var good = pg.AppConnectionString(out _);
        var bad = pg.AppConnectionString(out _, password: wrongPassword);
        var texts = new List<string>();

        foreach (var (connectionString, expected) in new[] { (good, HealthStatus.Healthy), (bad, HealthStatus.Unhealthy) })
        {
            await using var app = TestApp.Create(connectionString, s => s.WarmConnections = 2, time: new FakeTimeProvider());
            await app.StartAsync();
            await app.Coordinator.WaitForWarmAsync(TimeSpan.FromMinutes(10));
            await app.Coordinator.RunKeepAliveAsync();

            var health = await app.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.Equal(expected, health.Status);
            texts.AddRange(app.Logs.Lines());
            texts.Add(System.Text.Json.JsonSerializer.Serialize(app.Coordinator.LastReport));
            texts.AddRange(health.Entries.Values.Select(e => $"{e.Description} {e.Exception} {string.Join(",", e.Data.Select(d => $"{d.Key}={d.Value}"))}"));
        }

        Assert.NotEmpty(texts);
        // The capture reaches the driver's most verbose lines, where a connection string would surface first.
        Assert.Contains(texts, t => t.StartsWith("Trace Npgsql.", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("28P01", StringComparison.Ordinal));
        foreach (var text in texts)
        {
            Assert.DoesNotContain(PostgresFixture.AppPassword, text, StringComparison.Ordinal);
            Assert.DoesNotContain(wrongPassword, text, StringComparison.Ordinal);
            Assert.DoesNotContain(pg.Cluster.SuperuserPassword, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Password=", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task HealthCheck_FollowsTheState_WithTheRedactedReason()
    {
        await using var app = TestApp.Create(pg.AppConnectionString(out _, password: "another-wrong-pw-1"), time: new FakeTimeProvider());
        var health = app.Host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Degraded, (await health.CheckHealthAsync()).Status);

        await app.StartAsync();
        await app.Coordinator.WaitForWarmAsync(TimeSpan.FromMinutes(10));

        var entry = Assert.Single((await health.CheckHealthAsync()).Entries).Value;
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("28P01", entry.Description, StringComparison.Ordinal);
        Assert.Equal("Degraded", entry.Data["state"]);
    }
}
