using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Prewarm.Diagnostics;

namespace Prewarm.Hosting;

// Warm-up starts in StartingAsync, the earliest hook a host offers: in the Functions isolated worker it runs before
// the worker's gRPC handshake, while a plain StartAsync would only run after it. It never blocks start unless the
// app asked for BlockUntilWarm, and then only up to StartupTimeout, because the Functions host kills a worker that
// is not initialised in time.
internal sealed class WarmupHostedService(
    WarmupCoordinator coordinator,
    NpgsqlDataSource dataSource,
    PrewarmSettings settings,
    TimeProvider time,
    ILogger<WarmupHostedService> logger) : IHostedLifecycleService
{
    private Task? _keepAliveLoop;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var run = coordinator.EnsureWarmAsync(CancellationToken.None);
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
            Log.StartupWaitTimedOut(logger, coordinator.Name, settings.StartupTimeout.TotalMilliseconds);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (settings.KeepAliveInterval > TimeSpan.Zero)
        {
            _keepAliveLoop = RunKeepAliveLoopAsync(coordinator.Stopping);
        }

        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        coordinator.Stop();
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

        await dataSource.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunKeepAliveLoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(settings.KeepAliveInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await coordinator.RunKeepAliveAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
        }
    }
}
