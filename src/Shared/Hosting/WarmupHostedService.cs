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
        // The early run, never a new one: a run that already ended Degraded (a wrong password, no credential) made its
        // one attempt, and one that ended on a transient failure has scheduled its own rerun. None when disabled.
        if (early.FirstRun is not { } run)
        {
            return;
        }

        if (settings.StartupMode != PrewarmStartupMode.BlockUntilWarm)
        {
            _ = run.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
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
            _keepAliveLoop = Coordinator.KeepAlive.LoopAsync(Coordinator.Stopping);
        }

        return Task.CompletedTask;
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
