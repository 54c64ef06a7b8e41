using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Prewarm.Functions.Worker;

// What UsePrewarmGate registers, on a service collection, so that in-process tests compose the same gate on a plain
// host. One gate per app: the first call registers it, later calls add their names to it.
internal static class GateServices
{
    // True when this call registered the gate; false when it added to the one already there.
    // The configuration, when the builder has it (FunctionsApplicationBuilder does), is read at once: a bad setting then
    // stops Program.cs at this call, before anything is opened.
    public static bool Add(IServiceCollection services, string connectionName, IEnumerable<string> ungatedFunctions, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        ArgumentNullException.ThrowIfNull(ungatedFunctions);

        var existing = services.Select(d => d.ImplementationInstance).OfType<GateRegistration>().FirstOrDefault();
        var registration = existing ?? new GateRegistration();
        registration.Add(connectionName, ungatedFunctions);
        if (existing is not null)
        {
            return false;
        }

        services.AddSingleton(registration);
        services.AddSingleton<GateMetrics>();
        if (configuration is not null)
        {
            services.AddSingleton(FunctionSettings.Load(configuration));
        }
        else
        {
            services.AddSingleton(sp => FunctionSettings.Load(sp.GetRequiredService<IConfiguration>()));
        }

        // First of the hosted services, ahead of the worker's own: a name AddPrewarmedNpgsql never registered stops the
        // worker before it connects to the Functions host, not after the host has loaded its functions.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, GateStartupCheck>());
        return true;
    }
}
