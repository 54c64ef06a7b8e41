using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Prewarm.Diagnostics;

namespace Prewarm.Hosting;

// The warm-up begins inside AddPrewarmedNpgsql: the connection string is known there, and everything the app does
// after it (the rest of Program.cs, building the host, DI, the web server's or the Functions worker's start, the
// app's own JIT) then overlaps DNS, TCP, TLS, SCRAM or the Entra token, Npgsql's type loading and the first warm-up
// work, instead of coming before them. The host takes it over as soon as it is built (AdoptAtBuild): from then the
// app's logging and meters see it and disposing the host ends it. A host that is never built (Program.cs threw after
// AddPrewarmedNpgsql, say) never takes it over: after StartupTimeout the warm-up is stopped and its connections closed.
internal sealed class EarlyStart(
    string name,
    PrewarmSettings settings,
    TimeProvider time,
    DeferredLoggerFactory loggers,
    PrewarmInstrumentation instrumentation,
    Func<(NpgsqlDataSource DataSource, WarmupCoordinator Coordinator)> create) : IAsyncDisposable, IDisposable
{
    private readonly Lock _lock = new();
    private Task<(NpgsqlDataSource DataSource, WarmupCoordinator Coordinator)>? _created;
    private Task<WarmupReport>? _firstRun;
    private ITimer? _abandonTimer;
    private bool _adopted;
    private bool _disposed;

    // Created on the warm-up's thread (see DataSourceFactory); by the time the host asks, that is long done.
    public NpgsqlDataSource DataSource => Created.DataSource;

    public WarmupCoordinator Coordinator => Created.Coordinator;

    /// <summary>
    /// The warm-up begun here, null when the library is disabled. Written before <see cref="Created"/> completes, so
    /// reading that first orders it.
    /// </summary>
    public Task<WarmupReport>? FirstRun
    {
        get
        {
            _ = Created;
            return _firstRun;
        }
    }

    /// <summary>Completes once the data source and the coordinator exist, without blocking a thread for them.</summary>
    public Task Ready => _created!;

    private (NpgsqlDataSource DataSource, WarmupCoordinator Coordinator) Created => _created!.GetAwaiter().GetResult();

    public void Begin()
    {
        _abandonTimer = time.CreateTimer(static s => ((EarlyStart)s!).Abandon(), this, settings.StartupTimeout, Timeout.InfiniteTimeSpan);
        if (settings.Enabled && settings.ConnectionString is { } connectionString)
        {
            _ = Warmup.RootStorePreload.BeginIfTls(connectionString, settings.ProcessorCount);
        }

        _created = Task.Run(() =>
        {
            var created = create();
            if (settings.Enabled)
            {
                // On a thread of its own: the host's build waits for the data source (Adopt), and must not also wait for
                // the warm-up's synchronous part, which JIT-compiles the connect path up to the first socket operation.
                _firstRun = Task.Run(() => created.Coordinator.EnsureWarmAsync(CancellationToken.None));
                _ = _firstRun.ContinueWith(
                    static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            return created;
        });
    }

    /// <summary>The built host takes the warm-up over: its logging, its meters, its lifetime. Idempotent.</summary>
    public EarlyStart Adopt(IServiceProvider services)
    {
        lock (_lock)
        {
            if (_adopted)
            {
                return this;
            }

            _adopted = true;
            _abandonTimer?.Dispose();
        }

        try
        {
            // Reports, retries and token refreshes of the running warm-up already use this clock; a different one now
            // would mix two timelines in one run.
            if (!ReferenceEquals(services.GetService<TimeProvider>(), time))
            {
                throw new InvalidOperationException(
                    $"Prewarm: a TimeProvider was registered after AddPrewarmedNpgsql('{name}'). The warm-up starts inside AddPrewarmedNpgsql and uses the TimeProvider registered before it: register yours first.");
            }

            loggers.Attach(services.GetService<ILoggerFactory>());
            // The build itself is not waited for: on a cold start it competes with this very host build for the CPU, and
            // waiting would put it on the app's start-up path again. What was checked on the app's thread already
            // (DataSourceFactory.Prepare) leaves it nothing to fail on but an Entra principal without a name, whose
            // token fetch is reported by the warm-up, the health check and every resolution of the data source.
            var meters = services.GetRequiredService<IMeterFactory>();
            if (_created!.IsCompleted)
            {
                _ = Created;
                instrumentation.Attach(meters);
            }
            else
            {
                _ = _created.ContinueWith(
                    (t, state) => ((PrewarmInstrumentation)state!).Attach(meters), instrumentation, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }
        }
        catch (Exception)
        {
            // The host's build fails with this error and nobody will dispose its services: close what was opened now.
            _ = DisposeAsync().AsTask();
            throw;
        }

        if (!settings.Enabled)
        {
            Log.Disabled(loggers.CreateLogger(typeof(WarmupCoordinator).FullName!), name);
        }

        return this;
    }

    // Disposing the host's services ends the warm-up whether or not the host was ever started.
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _abandonTimer?.Dispose();
        }

        if (_created is null)
        {
            return;
        }

        try
        {
            var (dataSource, coordinator) = await _created.ConfigureAwait(false);
            coordinator.Stop();
            await dataSource.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception) when (_created.IsFaulted)
        {
            // Never built: nothing was opened. The error itself was thrown where the host asked for the data source.
        }
    }

    // A host disposed synchronously (IHost.Dispose) disposes its services synchronously; the pool's close is quick.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Abandon()
    {
        lock (_lock)
        {
            if (_adopted)
            {
                return;
            }
        }

        Log.EarlyStartAbandoned(loggers.CreateLogger(typeof(WarmupCoordinator).FullName!), name, settings.StartupTimeout.TotalMilliseconds);
        _ = DisposeAsync().AsTask();
    }
}
