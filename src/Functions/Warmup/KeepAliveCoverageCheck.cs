using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Prewarm.Functions.Warmup;

// Warns once at start when Prewarm:postgres:KeepAliveInterval is 00:00:00. The KeepAlive timer is then the only
// keep-alive, and Azure runs it on one instance of a scaled-out app at a time, so every other instance's idle
// connections die at the load balancers' 4-minute idle cut. A warning, not an error: on a single instance it is enough.
internal sealed class KeepAliveCoverageCheck(PrewarmSettings settings, ILogger<KeepAliveCoverageCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.KeepAliveInterval == TimeSpan.Zero)
        {
            Log.BackgroundKeepAliveOff(logger, FunctionsAppSetup.ConnectionName);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
