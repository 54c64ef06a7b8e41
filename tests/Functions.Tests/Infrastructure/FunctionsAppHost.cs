using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Prewarm.Functions.Worker;
using Prewarm.Functions.Tests.Doubles;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Infrastructure;

/// <summary>
/// Stands in for the Functions worker host, which cannot run here: a generic host with the app's own composition
/// (AppComposition: the calls Program.cs makes) and the real library, started and stopped like
/// the worker's. Functions and the gate are created from its services the way the worker does (ActivatorUtilities;
/// the gate once, as UseMiddleware registers it as a singleton); invocations are direct calls with a TestFunctionContext.
/// </summary>
internal sealed class FunctionsAppHost : IAsyncDisposable
{
    public const int WarmConnections = AppSettings.WarmConnections;

    // A generous bound on awaits that must end, so a regression fails instead of hanging; never a timing assertion.
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly IHost _host;

    private FunctionsAppHost(IHost host, string applicationName)
    {
        _host = host;
        ApplicationName = applicationName;
        Gate = ActivatorUtilities.CreateInstance<PrewarmGateMiddleware>(host.Services);
    }

    public string ApplicationName { get; }

    public IServiceProvider Services => _host.Services;

    public WarmupCoordinator Coordinator => Services.GetRequiredService<WarmupCoordinator>();

    public NpgsqlDataSource DataSource => Services.GetRequiredService<NpgsqlDataSource>();

    public PrewarmGateMiddleware Gate { get; }

    /// <summary>Builds the host; <see cref="StartAsync"/> starts it (and with it the library's warm-up).</summary>
    public static FunctionsAppHost Create(PostgresFixture postgres, IDictionary<string, string?>? settings = null)
    {
        var applicationName = "functions-test-" + Guid.NewGuid().ToString("N")[..12];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var values = AppSettings.For(postgres, applicationName);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        AppComposition.Compose(builder);
        return new FunctionsAppHost(builder.Build(), applicationName);
    }

    public Task StartAsync() => _host.StartAsync();

    /// <summary>Creates and starts the app, and waits (bounded) until its pool is warm.</summary>
    public static async Task<FunctionsAppHost> StartWarmAsync(PostgresFixture postgres)
    {
        var app = Create(postgres);
        await app.StartAsync();
        await app.Coordinator.EnsureWarmAsync().WaitAsync(Bound);
        return app;
    }

    public T Function<T>() where T : class => ActivatorUtilities.CreateInstance<T>(Services);

    public TestFunctionContext Invocation(string functionName, HttpExchange? http = null) => new(functionName, Services, http?.Context);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
