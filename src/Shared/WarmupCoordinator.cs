using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly.Retry;
using Prewarm.Authentication;
using Prewarm.Diagnostics;
using Prewarm.Resilience;
using Prewarm.Warmup;

namespace Prewarm;

/// <summary>
/// Owns the warm state of one prewarmed <see cref="NpgsqlDataSource"/>: runs warm-ups (one at a time), keeps the pool
/// valid, and lets invocations wait, bounded, until it is warm. Resolve it from DI (keyed by name for keyed sources).
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "Lives as long as the host; its token source holds no timer and is cancelled at stop.")]
public sealed class WarmupCoordinator
{
    private static readonly Task<bool> s_true = Task.FromResult(true);

    private readonly NpgsqlDataSource _dataSource;
    private readonly PrewarmSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PrewarmInstrumentation _instrumentation;
    private readonly SecretRedactor _redactor;
    private readonly ConnectionWarmer _warmer;
    private readonly WarmupPipelines _pipelines;
    private readonly KeepAlivePass _keepAlive;
    private readonly PoolLedger _ledger;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _lock = new();
    private readonly EntraTokenSource? _tokenSource;

    private volatile WarmupState _state = WarmupState.Cold;
    private volatile WarmupReport? _lastReport;
    private TaskCompletionSource<bool> _settled = NewSettled();
    private Task<WarmupReport>? _run;
    private Task<KeepAliveReport>? _keepAlivePass;
    private volatile KeepAliveReport? _lastKeepAlive;
    private int _runAttempts;
    private long _runStarted;

    // Set while a run re-warms a pool that was warm until the server went away: invocations then wait at the gate
    // through the restart instead of failing one by one, as long as the outage is shorter than the gate timeout.
    private volatile bool _recovering;

    internal WarmupCoordinator(
        string name,
        NpgsqlDataSource dataSource,
        PrewarmSettings settings,
        TimeProvider time,
        ILogger<WarmupCoordinator> logger,
        PrewarmInstrumentation instrumentation,
        SecretRedactor redactor,
        EntraTokenSource? tokenSource)
    {
        Name = name;
        _dataSource = dataSource;
        _settings = settings;
        _time = time;
        _logger = logger;
        _instrumentation = instrumentation;
        _redactor = redactor;
        _tokenSource = tokenSource;
        var connectionString = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        _warmer = new ConnectionWarmer(dataSource, settings, time, tokenSource, connectionString.Host ?? string.Empty);
        _pipelines = new WarmupPipelines(settings, time, OnRetryAsync);
        _ledger = new PoolLedger(TimeSpan.FromSeconds(connectionString.ConnectionLifetime), time);
        _keepAlive = new KeepAlivePass(dataSource, settings, _warmer, _ledger);
    }

    /// <summary>The connection name this coordinator warms (<c>ConnectionStrings:{Name}</c>).</summary>
    public string Name { get; }

    /// <summary>The current state.</summary>
    public WarmupState State => _state;

    /// <summary>The last finished warm-up run, or the failure of the attempt in progress; null before the first.</summary>
    public WarmupReport? LastReport => _lastReport;

    /// <summary>The last finished keep-alive pass, from the background loop or a caller; null before the first.</summary>
    public KeepAliveReport? LastKeepAlive => _lastKeepAlive;

    /// <summary>The configured <see cref="PrewarmSettings.GateTimeout"/>, for invocation gates.</summary>
    public TimeSpan GateTimeout => _settings.GateTimeout;

    /// <summary>The configured <see cref="PrewarmSettings.WarmConnections"/>.</summary>
    public int WarmConnections => _settings.WarmConnections;

    internal CancellationToken Stopping => _lifetime.Token;

    /// <summary>
    /// Warms the pool unless it is warm. Single-flight: callers that arrive while a run is in progress share it.
    /// Cancelling <paramref name="cancellationToken"/> stops this caller's wait, not the run.
    /// </summary>
    public Task<WarmupReport> EnsureWarmAsync(CancellationToken cancellationToken = default)
    {
        Task<WarmupReport> run;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_state == WarmupState.Stopped, this);
            if (_run is { IsCompleted: false })
            {
                run = _run;
            }
            else if (_state == WarmupState.Warm && _lastReport is { } warm)
            {
                return Task.FromResult(warm);
            }
            else
            {
                SetState(WarmupState.Warming);
                _run = run = Detached(RunAsync);
            }
        }

        return run.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The readiness gate: true at once when warm (no allocation); otherwise waits up to <paramref name="timeout"/>
    /// for a run in progress. False at once when the last attempt failed, so callers fail fast instead of queueing.
    /// </summary>
    public Task<bool> WaitForWarmAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_state == WarmupState.Warm)
        {
            _instrumentation.GatePassedWarm();
            return s_true;
        }

        return WaitUntilSettledAsync(timeout, cancellationToken);
    }

    /// <summary>
    /// Validates the idle pooled connections with a ping, replaces dead ones, retires the ones due before their
    /// <c>Connection Lifetime</c> and tops the pool up to <see cref="PrewarmSettings.WarmConnections"/>, never holding
    /// more than that many at once. When the pool is not warm, runs (or joins) a warm-up instead. Single-flight: a call
    /// that arrives while a pass runs (the background loop and a timer, say) shares it. Cancelling
    /// <paramref name="cancellationToken"/> stops this caller's wait, not the pass.
    /// </summary>
    public Task<KeepAliveReport> RunKeepAliveAsync(CancellationToken cancellationToken = default)
    {
        Task<KeepAliveReport> pass;
        lock (_lock)
        {
            if (_keepAlivePass is not { IsCompleted: false })
            {
                _keepAlivePass = Detached(KeepAliveAsync);
            }

            pass = _keepAlivePass;
        }

        return pass.WaitAsync(cancellationToken);
    }

    private async Task<KeepAliveReport> KeepAliveAsync()
    {
        var token = _lifetime.Token;
        var started = _time.GetTimestamp();
        KeepAliveReport report;
        if (_state != WarmupState.Warm)
        {
            var warmup = await EnsureWarmAsync(token).ConfigureAwait(false);
            var counts = new KeepAliveCounts { Opened = warmup.ConnectionsWarmed, Held = warmup.ConnectionsWarmed };
            report = KeepAliveReportOf(warmup.State, counts, started, warmup.State == WarmupState.Warm ? null : warmup.LastError);
        }
        else
        {
            try
            {
                var counts = await _pipelines.Attempt.ExecuteAsync(_keepAlive.RunAsync, token).ConfigureAwait(false);
                Log.KeepAliveFinished(_logger, Name, counts.Validated, counts.Replaced, counts.Opened, counts.Retired, counts.Held, _settings.WarmConnections);
                report = KeepAliveReportOf(_state, counts, started, error: null);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                var reason = _redactor.Describe(ex);
                Log.KeepAliveFailed(_logger, Name, reason);
                report = KeepAliveReportOf(_state, new KeepAliveCounts(), started, reason);
            }
        }

        _lastKeepAlive = report;
        return report;
    }

    /// <summary>
    /// Tells the coordinator that a request met a dead connection. When the failure says the server went away
    /// (57P01/57P02/57P03, a connection exception, a socket or I/O error), the pool is cleared, the state turns
    /// <see cref="WarmupState.Warming"/> and a re-warm runs in the background, so the next invocations wait at the
    /// gate for fresh connections instead of each failing on a dead one. Other failures are ignored.
    /// </summary>
    /// <returns>Whether a re-warm was started (or joined).</returns>
    public bool ReportConnectionFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (!FailureClassifier.IsServerGone(exception))
        {
            return false;
        }

        lock (_lock)
        {
            if (_state is WarmupState.Stopped or WarmupState.Cold)
            {
                return false;
            }

            if (_run is not { IsCompleted: false })
            {
                // Npgsql clears the pool itself for most of these; an I/O failure on a busy connection may not.
                _dataSource.Clear();
                Log.FailoverDetected(_logger, Name, _redactor.Describe(exception));
                SetState(WarmupState.Warming);
                _recovering = true;
                _run = Detached(RunAsync);
            }
        }

        return true;
    }

    /// <summary>Host stopping: cancels warm-up and keep-alive; waiters are released with false.</summary>
    internal void Stop()
    {
        lock (_lock)
        {
            if (_state == WarmupState.Stopped)
            {
                return;
            }

            SetState(WarmupState.Stopped);
        }

        _lifetime.Cancel();
        _tokenSource?.Dispose();
        Log.Stopped(_logger, Name);
    }

    private async Task<bool> WaitUntilSettledAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        if (_state == WarmupState.Cold)
        {
            Observe(EnsureWarmAsync(CancellationToken.None));
        }

        Task<bool> settled;
        lock (_lock)
        {
            if (_state is WarmupState.Degraded or WarmupState.Stopped)
            {
                _instrumentation.GateWaited(_state == WarmupState.Degraded ? "degraded" : "stopped", TimeSpan.Zero);
                return false;
            }

            settled = _settled.Task;
        }

        bool warm;
        string outcome;
        try
        {
            warm = await settled.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            outcome = warm ? "waited" : "degraded";
        }
        catch (TimeoutException)
        {
            warm = false;
            outcome = "timeout";
        }

        _instrumentation.GateWaited(outcome, _time.GetElapsedTime(started));
        return warm;
    }

    private KeepAliveReport KeepAliveReportOf(WarmupState state, KeepAliveCounts counts, long started, string? error) => new()
    {
        State = state,
        Validated = counts.Validated,
        Replaced = counts.Replaced,
        Opened = counts.Opened,
        Retired = counts.Retired,
        Connections = counts.Held,
        Duration = _time.GetElapsedTime(started),
        CompletedAt = _time.GetUtcNow(),
        LastError = error,
    };

    // Callers' continuations never run on the thread that finishes the work: an app that blocks in one (a synchronous
    // read after awaiting EnsureWarmAsync) would otherwise hold up every other waiter, the keep-alive loop among them.
    private static Task<T> Detached<T>(Func<Task<T>> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            try
            {
                completion.SetResult(await work().ConfigureAwait(false));
            }
            catch (OperationCanceledException ex)
            {
                completion.SetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
        });
        return completion.Task;
    }

    private async Task<WarmupReport> RunAsync()
    {
        var token = _lifetime.Token;
        using var activity = PrewarmInstrumentation.StartWarmup();
        activity?.SetTag("prewarm.name", Name);
        var started = _time.GetTimestamp();
        Volatile.Write(ref _runStarted, started);
        Volatile.Write(ref _runAttempts, 0);
        Exception? lastFailure = null;
        Log.WarmupStarted(_logger, Name, _settings.WarmConnections);

        WarmupReport report;
        try
        {
            if (_settings.StartJitter > TimeSpan.Zero)
            {
                await Task.Delay(_settings.StartJitter * Random.Shared.NextDouble(), _time, token).ConfigureAwait(false);
            }

            var attempt = await _pipelines.Run.ExecuteAsync(
                async ct =>
                {
                    Interlocked.Increment(ref _runAttempts);
                    _instrumentation.Attempt();
                    try
                    {
                        return await _warmer.WarmOnceAsync(ct).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        lastFailure = ex;
                        throw;
                    }
                },
                token).ConfigureAwait(false);

            _ledger.Clear();
            _ledger.Add(attempt.BackendPids);
            report = Report(WarmupState.Warm, attempt.BackendPids.Count, started, attempt.Phases, lastFailure);
            Settle(WarmupState.Warm, report);
            if (report.ConnectionsWarmed < report.ConnectionsRequested)
            {
                Log.WarmupShortOfRoom(_logger, Name, report.ConnectionsWarmed, report.ConnectionsRequested);
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            report = Report(WarmupState.Stopped, 0, started, null, lastFailure);
            _lastReport = report;
        }
        catch (Exception ex)
        {
            report = Report(WarmupState.Degraded, 0, started, null, ex);
            Settle(WarmupState.Degraded, report);
            if (FailureClassifier.IsTransient(ex))
            {
                Log.WarmupRunFailed(_logger, Name, report.Attempts, _settings.RetryMaxDelay.TotalMilliseconds, report.LastError!);
                Observe(RerunLaterAsync());
            }
            else
            {
                Log.WarmupFailedPermanently(_logger, Name, report.SqlState, report.LastError!);
            }
        }

        _recovering = false;
        activity?.SetTag("prewarm.state", report.State.ToString());
        activity?.SetTag("prewarm.connections", report.ConnectionsWarmed);
        Log.WarmupFinished(_logger, Name, report.State, report.ConnectionsWarmed, report.Duration.TotalMilliseconds, report.Attempts);
        _instrumentation.WarmupFinished(report);
        return report;
    }

    // After a run gives up on a transient failure, the next one starts one backoff step later, so the pool turns
    // warm by itself once the database is back, without a restart and without a retry storm.
    private async Task RerunLaterAsync()
    {
        await Task.Delay(_settings.RetryMaxDelay, _time, _lifetime.Token).ConfigureAwait(false);
        Task? previous;
        lock (_lock)
        {
            previous = _run;
        }

        if (previous is not null)
        {
            await previous.ConfigureAwait(false);
        }

        await EnsureWarmAsync(_lifetime.Token).ConfigureAwait(false);
    }

    private ValueTask OnRetryAsync(OnRetryArguments<object> args)
    {
        if (args.Outcome.Exception is { } ex)
        {
            var report = Report(WarmupState.Degraded, 0, _time.GetTimestamp(), null, ex);
            if (_recovering && _time.GetElapsedTime(Volatile.Read(ref _runStarted)) < _settings.GateTimeout)
            {
                _lastReport = report with { State = WarmupState.Warming };
            }
            else
            {
                Settle(WarmupState.Degraded, report);
            }

            Log.WarmupRetrying(_logger, Name, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, report.LastError!);
        }

        return ValueTask.CompletedTask;
    }

    private WarmupReport Report(WarmupState state, int warmed, long started, IReadOnlyDictionary<string, TimeSpan>? phases, Exception? failure) => new()
    {
        State = state,
        ConnectionsRequested = _settings.WarmConnections,
        ConnectionsWarmed = warmed,
        Attempts = Volatile.Read(ref _runAttempts),
        Duration = _time.GetElapsedTime(started),
        Phases = phases ?? new Dictionary<string, TimeSpan>(),
        LastError = failure is null ? null : _redactor.Describe(failure),
        SqlState = failure is null ? null : FailureClassifier.SqlStateOf(failure),
        CompletedAt = _time.GetUtcNow(),
    };

    private void Settle(WarmupState state, WarmupReport report)
    {
        lock (_lock)
        {
            if (_state == WarmupState.Stopped)
            {
                return;
            }

            _lastReport = report;
            SetState(state);
        }
    }

    // Called under _lock. Waiters hold the current _settled task: it completes true on Warm and false on a failure;
    // leaving a settled state starts a fresh one so new waiters wait for the new outcome.
    private void SetState(WarmupState state)
    {
        _state = state;
        switch (state)
        {
            case WarmupState.Warm:
                _settled.TrySetResult(true);
                break;
            case WarmupState.Degraded or WarmupState.Stopped:
                _settled.TrySetResult(false);
                break;
            default:
                if (_settled.Task.IsCompleted)
                {
                    _settled = NewSettled();
                }

                break;
        }
    }

    private static TaskCompletionSource<bool> NewSettled() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
