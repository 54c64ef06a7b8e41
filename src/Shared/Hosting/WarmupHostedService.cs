using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prewarm.Diagnostics;

namespace Prewarm.Hosting;

// The warm-up is already running (EarlyStart). Start only waits for it when the app asked for BlockUntilWarm, and
// then only up to StartupTimeout, because the Functions host kills a worker that is not initialised in time; the
// keep-alive loop starts once the host has; stop ends both and closes the pool.
internal sealed class WarmupHostedService(
    EarlyStart early,
    PrewarmSettings settings,
    TimeProvider time,
    ILogger<WarmupHostedService> logger) : IHostedLifecycleService
{
    private Task? _keepAliveLoop;

    private WarmupCoordinator Coordinator => early.Coordinator;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        // Background: nothing to wait for, and nothing to touch either, so that host start never waits for the data
        // source's build on the warm-up's thread (EarlyStart observes the run's failures itself).
        if (settings.StartupMode != PrewarmStartupMode.BlockUntilWarm)
        {
            return;
        }

        // The early run, never a new one: a run that already ended Degraded (a wrong password, no credential) made its
        // one attempt, and one that ended on a transient failure has scheduled its own rerun. None when disabled.
        if (early.FirstRun is not { } run)
        {
            return;
        }

        try
        {
            await run.WaitAsync(settings.StartupTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.StartupWaitTimedOut(logger, Coordinator.Name, settings.StartupTimeout.TotalMilliseconds);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (settings.Enabled && settings.KeepAliveInterval > TimeSpan.Zero)
        {
            _keepAliveLoop = LoopWhenReadyAsync();
        }

        return Task.CompletedTask;
    }

    private async Task LoopWhenReadyAsync()
    {
        try
        {
            await early.Ready.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The data source was never built: no pool to keep alive; the warm-up and the health check say why.
            return;
        }

        await Coordinator.KeepAlive.LoopAsync(Coordinator.Stopping).ConfigureAwait(false);
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        Coordinator.Stop();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Other hosted services (the web server among them) have stopped by now, so no request still needs the pool.
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_keepAliveLoop is not null)
        {
            await _keepAliveLoop.ConfigureAwait(false);
        }

        await early.DisposeAsync().ConfigureAwait(false);
    }
}
