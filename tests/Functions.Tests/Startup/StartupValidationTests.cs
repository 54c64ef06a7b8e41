using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prewarm.Functions.Tests.Infrastructure;
using Prewarm.Functions.Worker;

namespace Prewarm.Functions.Tests.Startup;

// The worker host is not needed: the app's composition runs on a plain HostApplicationBuilder, as Program.cs runs it
// on the Functions builder, and a bad setting must stop it at composition (the library's) or at the gate's start-up
// check (the package's, before any invocation). No database either: nothing connects.
public sealed class StartupValidationTests
{
    private const string ValidConnectionString = "Host=127.0.0.1;Database=prewarm;Username=prewarm";
    private const string ValidSchedule = "0 */2 * * * *";

    [Fact]
    public void Compose_MissingConnectionString_NamesTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Compose(connectionString: null, ValidSchedule));
        Assert.Contains("ConnectionStrings:postgres", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_MissingSchedule_NamesTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Compose(ValidConnectionString, schedule: null));
        Assert.Contains("Prewarm:KeepAliveSchedule", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*/5 * * * *")] // five fields: the Functions timer wants six (seconds first)
    [InlineData("0 */2 * * * * *")]
    [InlineData("every 2 minutes")]
    [InlineData("0 60 * * * *")]
    [InlineData("0 */0 * * * *")]
    [InlineData("0 0 25 * * *")]
    [InlineData("0 0 0 0 * *")]
    [InlineData("0 0 0 * 13 *")]
    [InlineData("0 0 0 * * 7")]
    [InlineData("0 30-10 * * * *")]
    [InlineData("0 0 9 * * MON-FUN")]
    [InlineData("00:00:00")]
    [InlineData("-00:01:00")]
    public void Compose_BadSchedule_NamesTheKey(string schedule)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Compose(ValidConnectionString, schedule));
        Assert.Contains("Prewarm:KeepAliveSchedule", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 */2 * * * *")]
    [InlineData("30 */5 * * * *")]
    [InlineData("0 0 9-17 * * MON-FRI")]
    [InlineData("0 0,30 * * * *")]
    [InlineData("0 0 0 1 JAN *")]
    [InlineData("0 0 */2 * * 1-5/2")]
    [InlineData("00:02:00")]
    public void Compose_ValidSchedule_Composes(string schedule) => Compose(ValidConnectionString, schedule);

    [Fact]
    public void Compose_BadWarmupFunctionTimeout_NamesTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Compose(ValidConnectionString, ValidSchedule, new() { ["Prewarm:WarmupFunctionTimeout"] = "soon" }));
        Assert.Contains("Prewarm:WarmupFunctionTimeout", error.Message, StringComparison.Ordinal);
    }

    private static void Compose(string? connectionString, string? schedule, Dictionary<string, string?>? more = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Composition only: the warm-up (which starts inside AddPrewarmedNpgsql) is off, so nothing connects.
        var values = new Dictionary<string, string?>(more ?? []) { ["Prewarm:postgres:Enabled"] = "false" };
        if (connectionString is not null)
        {
            values["ConnectionStrings:postgres"] = connectionString;
        }

        if (schedule is not null)
        {
            values["Prewarm:KeepAliveSchedule"] = schedule;
        }

        builder.Configuration.AddInMemoryCollection(values);
        AppComposition.Compose(builder);
        // Built and disposed: a composition left unbuilt would keep its data source until StartupTimeout.
        using var host = builder.Build();
        // Only the gate's check: starting the host would start the warm-up, which is off here anyway.
        host.Services.GetServices<IHostedService>().OfType<GateStartupCheck>().Single().StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }
}
