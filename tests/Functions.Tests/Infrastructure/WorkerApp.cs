using System.Text.Json;
using Prewarm.Functions.TestHost;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Infrastructure;

/// <summary>
/// The app as it runs in Azure: src/Functions' real worker process, started and driven over the real FunctionRpc
/// protocol by the test host (which plays the Functions host, the one part that cannot run here), against the
/// fixture's PostgreSQL. Its connections carry a fresh Application Name, so the server shows which backends are its.
/// </summary>
internal sealed class WorkerApp : IAsyncDisposable
{
    private WorkerApp(FunctionsTestHost host, string applicationName, string password)
    {
        Host = host;
        ApplicationName = applicationName;
        Password = password;
    }

    public FunctionsTestHost Host { get; }

    public string ApplicationName { get; }

    // The secret no response or log may contain.
    public string Password { get; }

    public static WorkerLaunch Launch(PostgresFixture postgres, string applicationName, IDictionary<string, string?>? settings = null)
    {
        var values = AppSettings.For(postgres, applicationName);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new WorkerLaunch(AppFolder.Path, values);
    }

    public static async Task<WorkerApp> StartAsync(PostgresFixture postgres, IDictionary<string, string?>? settings = null)
    {
        var applicationName = "functions-worker-" + Guid.NewGuid().ToString("N")[..12];
        var host = await FunctionsTestHost.StartAsync(Launch(postgres, applicationName, settings));
        return new WorkerApp(host, applicationName, PostgresFixture.AppPassword);
    }

    public Task<HttpInvocationResult> HealthAsync() => Host.InvokeHttpAsync(FunctionNames.Health, HttpMethod.Get, "health");

    public async Task<string> StateAsync() => JsonDocument.Parse((await HealthAsync()).Body).RootElement.GetProperty("state").GetString()!;

    // Everything the worker wrote and logged, for the no-secret checks.
    public IEnumerable<string> RpcLogsAndOutput() => Host.RpcLogs.Append(Host.LastOutput);

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
