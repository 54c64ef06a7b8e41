using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Prewarm.Functions.Worker;

// Runs at host start, before any invocation: every name the gate waits for must have been registered by
// AddPrewarmedNpgsql (the library's message says what to add), and the package's settings must be valid. Warns once
// when a name's KeepAliveInterval is 00:00:00: the KeepAlive timer is then the only keep-alive, and Azure runs it on one
// instance at a time (PrewarmKeepAliveFunction says why that is not enough). A warning, not an error: on a single
// instance it is enough.
internal sealed class GateStartupCheck(IServiceProvider services, GateRegistration gate, ILogger<GateStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<FunctionSettings>();
        foreach (var name in gate.Names)
        {
            if (services.GetRequiredPrewarmSettings(name).KeepAliveInterval == TimeSpan.Zero)
            {
                Log.BackgroundKeepAliveOff(logger, name);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
