using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Npgsql;
using Prewarm.Authentication;
using Prewarm.Diagnostics;
using Prewarm.KeepAlive;
using Prewarm.Resilience;
using Prewarm.Threading;
using Prewarm.Warmup;

namespace Prewarm;

/// <summary>
/// Owns the warm state of one prewarmed <see cref="NpgsqlDataSource"/>: runs warm-ups (one at a time), keeps the pool
/// valid, and lets invocations wait, bounded, until a warm connection is theirs. Resolve it from DI (keyed by name for
/// keyed sources).
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
    private readonly EntraTokenSource? _tokenSource;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ReadinessSignal _signal = new();
    private readonly SingleFlight<WarmupReport> _runs = new();
    private readonly WarmupRun _run;
    private readonly KeepAliveRunner _keepAlive;
    private readonly InFlightWatch? _inFlight;

    internal WarmupCoordinator(
        string name,
        NpgsqlDataSource dataSource,
        PrewarmSettings settings,
        TimeProvider time,
        ILogger logger,
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
        var opener = new PoolOpener(dataSource, settings);
        var work = new ConnectionWork(settings);
        var room = new ServerRoom(settings.WarmConnections);
        var warmer = new ConnectionWarmer(dataSource, settings, time, tokenSource, connectionString.Host ?? string.Empty, name, opener, work, room);
        var ledger = new PoolLedger(TimeSpan.FromSeconds(connectionString.ConnectionLifetime), time);
        // One core: the warm-up yields to the first invocation (OneCoreTopUp), which the gate tells it about.
        _inFlight = settings.ProcessorCount == 1 ? new InFlightWatch(name) : null;
        var topUp = _inFlight is null ? null : new OneCoreTopUp(dataSource, settings, time, opener, work, room, _inFlight);
        _run = new WarmupRun(name, settings, time, logger, instrumentation, redactor, warmer, ledger, _signal, topUp);
        // A pass while a run is still going (on one core, its top-up after the gate turned Warm) joins the run instead.
        _keepAlive = new KeepAliveRunner(
            name, settings, time, logger, redactor, new KeepAlivePass(dataSource, settings, opener, room, ledger, _signal),
            () => _runs.IsRunning && _signal.State == WarmupState.Warm ? WarmupState.Warming : _signal.State, EnsureWarmAsync, () => _run.Pipelines);
    }

    /// <summary>The connection name this coordinator warms (<c>ConnectionStrings:{Name}</c>).</summary>
    public string Name { get; }

    /// <summary>The current state.</summary>
    public WarmupState State => _signal.State;

    /// <summary>The last finished warm-up run, or the failure of the attempt in progress; null before the first.</summary>
    public WarmupReport? LastReport => _run.LastReport;

    /// <summary>The last finished keep-alive pass, from the background loop or a caller; null before the first.</summary>
    public KeepAliveReport? LastKeepAlive => _keepAlive.Last;

    internal CancellationToken Stopping => _lifetime.Token;

    internal KeepAliveRunner KeepAlive => _keepAlive;

    /// <summary>
    /// Warms the pool unless it is warm. Single-flight: callers that arrive while a run is in progress share it.
    /// Cancelling <paramref name="cancellationToken"/> stops this caller's wait, not the run.
    /// </summary>
    public Task<WarmupReport> EnsureWarmAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_signal.State == WarmupState.Stopped, this);
        if (!_settings.Enabled)
        {
            return Task.FromResult(DisabledReport());
        }

        if (_signal.State == WarmupState.Warm && _run.LastReport is { } warm && !_runs.IsRunning)
        {
            return Task.FromResult(warm);
        }

        return _runs.Join(() => _run.RunAsync(_ => Observe(RerunLaterAsync()), _lifetime.Token), _signal.BeginRun).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The readiness gate: true at once when warm (no allocation). While a run is warming, the k-th caller waits up to
    /// <see cref="PrewarmSettings.GateTimeout"/> for the k-th warmed connection, so the first passes as soon as one
    /// connection is warm. False at once when the last attempt failed, so callers fail fast instead of queueing.
    /// </summary>
    public Task<bool> WaitForWarmAsync(CancellationToken cancellationToken = default) =>
        WaitForWarmAsync(_settings.GateTimeout, cancellationToken);

    // Not public: one gate, one timeout, set where every other knob is (PrewarmSettings.GateTimeout). The tests wait
    // with bounds of their own.
    internal Task<bool> WaitForWarmAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_signal.IsOpen || !_settings.Enabled)
        {
            _inFlight?.GatePassed();
            _instrumentation.GatePassedWarm();
            return s_true;
        }

        return WaitAtGateAsync(timeout, cancellationToken);
    }

    /// <summary>
    /// Validates the idle pooled connections with a ping, replaces dead ones, retires the ones due before their
    /// <c>Connection Lifetime</c> and tops the pool up to <see cref="PrewarmSettings.WarmConnections"/>, never holding
    /// more than that many at once. When the pool is not warm, runs (or joins) a warm-up instead. Single-flight: a call
    /// that arrives while a pass runs (the background loop and a timer, say) shares it. Cancelling
    /// <paramref name="cancellationToken"/> stops this caller's wait, not the pass.
    /// </summary>
    public Task<KeepAliveReport> RunKeepAliveAsync(CancellationToken cancellationToken = default) =>
        _keepAlive.RunAsync(_lifetime.Token).WaitAsync(cancellationToken);

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
        if (!FailureClassifier.IsServerGone(exception) || _signal.State is WarmupState.Stopped or WarmupState.Cold || !_settings.Enabled)
        {
            return false;
        }

        _runs.TryStart(
            () => _run.RunAsync(_ => Observe(RerunLaterAsync()), _lifetime.Token),
            () =>
            {
                // Npgsql clears the pool itself for most of these; an I/O failure on a busy connection may not.
                _dataSource.Clear();
                Log.FailoverDetected(_logger, Name, _redactor.Describe(exception));
                _run.Recovering = true;
                _signal.BeginRun();
            });
        return true;
    }

    /// <summary>Host stopping (or never started): cancels warm-up and keep-alive; waiters are released with false.</summary>
    internal void Stop()
    {
        if (_signal.State == WarmupState.Stopped)
        {
            return;
        }

        _signal.Settle(WarmupState.Stopped);
        _lifetime.Cancel();
        _tokenSource?.Dispose();
        Log.Stopped(_logger, Name);
    }

    private async Task<bool> WaitAtGateAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        if (_signal.State == WarmupState.Cold)
        {
            Observe(EnsureWarmAsync(CancellationToken.None));
        }

        GateOutcome outcome;
        _inFlight?.Entered();
        try
        {
            outcome = await _signal.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _inFlight?.Left();
        }

        _instrumentation.GateWaited(outcome, _time.GetElapsedTime(started));
        return outcome is GateOutcome.Warm or GateOutcome.Ready or GateOutcome.Waited or GateOutcome.Held;
    }

    // After a run gives up on a transient failure, the next one starts one backoff step later, so the pool turns
    // warm by itself once the database is back, without a restart and without a retry storm.
    private async Task RerunLaterAsync()
    {
        await Task.Delay(_settings.RetryMaxDelay, _time, _lifetime.Token).ConfigureAwait(false);
        if (_runs.Current is { } previous)
        {
            await previous.ConfigureAwait(false);
        }

        await EnsureWarmAsync(_lifetime.Token).ConfigureAwait(false);
    }

    private WarmupReport DisabledReport() => new()
    {
        State = _signal.State,
        ConnectionsRequested = 0,
        ConnectionsWarmed = 0,
        Attempts = 0,
        Duration = TimeSpan.Zero,
        Phases = new Dictionary<WarmupPhase, TimeSpan>(),
        CompletedAt = _time.GetUtcNow(),
    };

    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
