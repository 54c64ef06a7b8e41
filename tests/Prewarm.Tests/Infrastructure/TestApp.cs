using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace Prewarm.Tests.Infrastructure;

// A real generic host with the library registered exactly as an app would, logging captured.
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(IHost host, string? key)
    {
        Host = host;
        Logs = host.Services.GetFakeLogCollector();
        Coordinator = key is null ? host.Services.GetRequiredService<WarmupCoordinator>() : host.Services.GetRequiredKeyedService<WarmupCoordinator>(key);
        DataSource = key is null ? host.Services.GetRequiredService<NpgsqlDataSource>() : host.Services.GetRequiredKeyedService<NpgsqlDataSource>(key);
    }

    public IHost Host { get; }

    public FakeLogCollector Logs { get; }

    public WarmupCoordinator Coordinator { get; }

    public NpgsqlDataSource DataSource { get; }

    public static HostApplicationBuilder CreateBuilder(IDictionary<string, string?> configuration, TimeProvider? time)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        // Every category at Trace, Npgsql's included, so the secret checks see every line.
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Trace);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        return builder;
    }

    public static TestApp Create(
        string connectionString,
        Action<PrewarmSettings>? configure = null,
        TimeProvider? time = null,
        string name = "postgres",
        bool keyed = false,
        IDictionary<string, string?>? configuration = null)
    {
        var config = new Dictionary<string, string?>(configuration ?? new Dictionary<string, string?>())
        {
            [$"ConnectionStrings:{name}"] = connectionString,
            // The background keep-alive loop would race the tests' own passes; tests that want it turn it on.
            [$"Prewarm:{name}:KeepAliveInterval"] = "00:00:00",
        };
        var builder = CreateBuilder(config, time);
        // The multi-core path unless a test asks for one core, whatever machine the tests run on (OneCoreTests set 1).
        Action<PrewarmSettings> settings = s =>
        {
            s.ProcessorCount = Math.Max(2, s.ProcessorCount);
            configure?.Invoke(s);
        };
        if (keyed)
        {
            builder.AddKeyedPrewarmedNpgsql(name, settings);
        }
        else
        {
            builder.AddPrewarmedNpgsql(name, settings);
        }

        return new TestApp(builder.Build(), keyed ? name : null);
    }

    public Task StartAsync() => Host.StartAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync();
        }
        finally
        {
            Host.Dispose();
        }
    }
}
