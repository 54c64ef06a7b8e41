using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prewarm.Functions.Worker;

namespace Prewarm.Functions.Tests.Startup;

// Bad input to UsePrewarmGate (registered as it registers, on a plain host): a name AddPrewarmedNpgsql never
// registered stops the start naming what to add; a second registration adds to the one gate. No database: nothing connects.
public sealed class GateRegistrationTests
{
    [Fact]
    public async Task Start_GateWithoutAddPrewarmedNpgsql_NamesWhatToAdd()
    {
        using var host = Build(addPrewarmed: false, "postgres");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartCheckAsync(host));

        Assert.Contains("AddPrewarmedNpgsql(\"postgres\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_GateForAnUnregisteredName_NamesTheNameAndTheRegisteredOnes()
    {
        using var host = Build(addPrewarmed: true, "orders");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartCheckAsync(host));

        Assert.Contains("AddPrewarmedNpgsql(\"orders\")", error.Message, StringComparison.Ordinal);
        Assert.Contains("'postgres'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_Twice_GivesOneGate()
    {
        using var host = Build(addPrewarmed: true, "postgres", "postgres");

        await StartCheckAsync(host);

        Assert.Single(host.Services.GetServices<GateRegistration>());
        Assert.Single(host.Services.GetServices<IHostedService>().OfType<GateStartupCheck>());
        Assert.Equal(["postgres"], host.Services.GetRequiredService<GateRegistration>().Names);
    }

    private static Task StartCheckAsync(IHost host) =>
        host.Services.GetServices<IHostedService>().OfType<GateStartupCheck>().Single().StartAsync(CancellationToken.None);

    private static IHost Build(bool addPrewarmed, params string[] gates)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = "Host=127.0.0.1;Database=prewarm;Username=prewarm",
            ["Prewarm:KeepAliveSchedule"] = "0 */2 * * * *",
            ["Prewarm:postgres:Enabled"] = "false",
        });
        if (addPrewarmed)
        {
            builder.AddPrewarmedNpgsql("postgres");
        }

        foreach (var name in gates)
        {
            GateServices.Add(builder.Services, name, [], builder.Configuration);
        }

        return builder.Build();
    }
}
