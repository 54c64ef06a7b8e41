using System.Globalization;
using System.Text.Json;
using Prewarm.Consumer.Tests.Infrastructure;
using Prewarm.Functions.TestHost;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Consumer.Tests;

// A new Function App (Apps/FunctionApp: the README's Program.cs and one function of its own) that installs the packed
// packages from a folder feed, built outside the solution and run as a real worker under the test host against real
// PostgreSQL. Evidence comes from the server (pg_stat_activity) and the app's answers, never from timing.
[Collection(ConsumerTests.Name)]
public sealed class FunctionAppTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Metadata_ListsThePackagesWarmupAndKeepAliveFunctions_BesideTheAppsOwn()
    {
        var app = await ConsumerApp.BuildAsync("FunctionApp");

        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(app, "functions.metadata")));
        var functions = metadata.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);

        Assert.Equal(["Backend", "KeepAlive", "Warmup"], functions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("warmupTrigger", functions["Warmup"].GetProperty("bindings")[0].GetProperty("type").GetString());
        Assert.Equal("%Prewarm:KeepAliveSchedule%", functions["KeepAlive"].GetProperty("bindings")[0].GetProperty("schedule").GetString());
    }

    [Fact]
    public async Task HttpInvocation_DuringWarmup_IsGated_ThenServedOnAWarmBackend()
    {
        var appFolder = await ConsumerApp.BuildAsync("FunctionApp");
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        var applicationName = "consumer-fn-" + Guid.NewGuid().ToString("N")[..12];
        await using var host = await FunctionsTestHost.StartAsync(Launch(appFolder, applicationName));
        Assert.Contains("Warmup", host.Functions);
        // The first connection is open and held in its warm-up query by the lock: the pool cannot be warm yet.
        await postgres.Cluster.WaitForBackendCountAsync(applicationName, 1);

        var backend = host.InvokeHttpAsync("Backend", HttpMethod.Get, "backend");
        // The Warmup function passes the gate and waits for warm too: neither can end while the lock is held.
        var warmup = host.InvokeAsync("Warmup", TriggerInput.Warmup);
        Assert.False(backend.IsCompleted);

        await tableLock.ReleaseAsync();
        var response = await backend;
        Assert.True((await warmup).Succeeded);

        Assert.True(response.Invocation.Succeeded, response.Invocation.Error);
        Assert.Equal(200, response.Status);
        var backends = await postgres.Cluster.WaitForBackendCountAsync(applicationName, HeldWarmupSettings.WarmConnections);
        Assert.Contains(int.Parse(response.Body, CultureInfo.InvariantCulture), backends);
    }

    [Fact]
    public async Task HttpInvocation_DatabaseDown_Answers503WithRetryAfter()
    {
        var appFolder = await ConsumerApp.BuildAsync("FunctionApp");
        await postgres.Cluster.StopAsync();
        try
        {
            await using var host = await FunctionsTestHost.StartAsync(Launch(appFolder, "consumer-fn-down"));

            var response = await host.InvokeHttpAsync("Backend", HttpMethod.Get, "backend");

            Assert.Equal(503, response.Status);
            Assert.True(int.Parse(response.Headers["Retry-After"], CultureInfo.InvariantCulture) >= 1);
            Assert.DoesNotContain(PostgresFixture.AppPassword, response.Body, StringComparison.Ordinal);
        }
        finally
        {
            await postgres.Cluster.StartAsync();
        }
    }

    private WorkerLaunch Launch(string appFolder, string applicationName)
    {
        var settings = HeldWarmupSettings.For(postgres, applicationName);
        settings["Prewarm:KeepAliveSchedule"] = "0 */2 * * * *";
        return new WorkerLaunch(appFolder, settings);
    }
}
