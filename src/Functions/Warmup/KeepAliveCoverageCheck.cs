using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Prewarm.Functions.Warmup;

// Warns once at start when Prewarm:postgres:KeepAliveInterval is 00:00:00: the KeepAlive timer is then the only
// keep-alive, and it runs on one instance at a time (KeepAliveFunction says why that is not enough). A warning, not an
// error: on a single instance it is enough.
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
