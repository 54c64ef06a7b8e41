using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Prewarm.Functions.Tests.Infrastructure;
using Prewarm.Functions.Worker;

namespace Prewarm.Functions.Tests.Startup;

// The KeepAlive timer runs on one instance of a scaled-out app at a time, so the app's composition must leave the
// library's background keep-alive on for every instance. Composition only: the warm-up (which starts inside
// AddPrewarmedNpgsql) is switched off, so nothing connects and no database is needed.
public sealed class KeepAliveWiringTests
{
    private const string IntervalKey = "Prewarm:postgres:KeepAliveInterval";

    [Fact]
    public void Compose_Default_LeavesTheBackgroundKeepAliveOnBelowTheIdleCut()
    {
        using var host = Build();

        var interval = host.Services.GetRequiredPrewarmSettings("postgres").KeepAliveInterval;

        Assert.InRange(interval, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(4) - TimeSpan.FromTicks(1));
    }

    [Fact]
    public void Compose_IntervalSetting_IsTheBackgroundKeepAliveInterval()
    {
        using var host = Build(new() { [IntervalKey] = "00:01:30" });

        Assert.Equal(TimeSpan.FromSeconds(90), host.Services.GetRequiredPrewarmSettings("postgres").KeepAliveInterval);
    }

    [Fact]
    public async Task Start_IntervalZero_WarnsThatOnlyOneInstanceIsKeptAlive()
    {
        var logs = new FakeLogCollector();
        using var host = Build(new() { [IntervalKey] = "00:00:00" }, logs);

        await StartCheckAsync(host);

        var warning = Assert.Single(logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains(IntervalKey, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_IntervalPositive_DoesNotWarn()
    {
        var logs = new FakeLogCollector();
        using var host = Build(logs: logs);

        await StartCheckAsync(host);

        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    // Only the check: starting the host would start the warm-up against a database this test does not have.
    private static Task StartCheckAsync(IHost host) =>
        host.Services.GetServices<IHostedService>().OfType<GateStartupCheck>().Single().StartAsync(CancellationToken.None);

    private static IHost Build(Dictionary<string, string?>? settings = null, FakeLogCollector? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings ?? [])
        {
            ["ConnectionStrings:postgres"] = "Host=127.0.0.1;Database=prewarm;Username=prewarm",
            ["Prewarm:KeepAliveSchedule"] = "0 */2 * * * *",
            ["Prewarm:postgres:Enabled"] = "false",
        });
        if (logs is not null)
        {
            builder.Logging.AddProvider(new FakeLoggerProvider(logs));
        }

        AppComposition.Compose(builder);
        return builder.Build();
    }
}
