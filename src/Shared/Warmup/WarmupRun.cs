using System.Globalization;
using Microsoft.Extensions.Logging;
using System.Runtime.ExceptionServices;
using Polly.Retry;
using Polly.Timeout;
using Prewarm.Diagnostics;
using Prewarm.KeepAlive;
using Prewarm.Resilience;

namespace Prewarm.Warmup;

// One warm-up run: attempts through the Polly pipeline (total timeout -> retry -> breaker -> attempt timeout), each
// attempt a ConnectionWarmer pass, the outcome settled on the readiness signal and kept as the last report.
internal sealed class WarmupRun(
    string name,
    PrewarmSettings settings,
    TimeProvider time,
    ILogger logger,
    PrewarmInstrumentation instrumentation,
    SecretRedactor redactor,
    ConnectionWarmer warmer,
    PoolLedger ledger,
    ReadinessSignal signal,
    OneCoreTopUp? topUp = null)
{
    private WarmupPipelines? _pipelines;
    private volatile WarmupReport? _lastReport;
    private volatile Exception? _lastFailure;
    private int _attempts;
    private long _started;

    // Set while a run re-warms a pool that was warm until the server went away: invocations then wait at the gate
    // through the restart instead of failing one by one, as long as the outage is shorter than the gate timeout.
    private volatile bool _recovering;
    private long _recoverySince;

    public WarmupReport? LastReport => _lastReport;

    public WarmupPipelines Pipelines => _pipelines ??= new WarmupPipelines(settings, time, OnRetryAsync);

    public bool Recovering
    {
        set => _recovering = value;
    }

    public async Task<WarmupReport> RunAsync(Action<Exception> transientFailure, CancellationToken token)
    {
        using var activity = PrewarmInstrumentation.StartWarmup();
        activity?.SetTag("prewarm.name", name);
        var started = time.GetTimestamp();
        Volatile.Write(ref _started, started);
        Volatile.Write(ref _recoverySince, started);
        Volatile.Write(ref _attempts, 0);
        _lastFailure = null;
        Log.WarmupStarted(logger, name, settings.WarmConnections);

        WarmupReport report;
        using var deadline = new CancellationTokenSource(settings.WarmupTimeout, time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(token, deadline.Token);
        try
        {
            if (settings.StartJitter > TimeSpan.Zero)
            {
                await Task.Delay(settings.StartJitter * Random.Shared.NextDouble(), time, token).ConfigureAwait(false);
            }

            // The first attempt runs outside the Polly pipeline: building the pipeline and running it the first time
            // costs tens of milliseconds of JIT that a warm-up which succeeds at once never needs, and on a cold start
            // that time is the first request's. It has the same bounds (the attempt timeout, the run's deadline); a
            // transient failure enters the pipeline as its first attempt's outcome, so backoff, breaker and retry
            // count are what they would have been.
            WarmupAttempt attempt;
            try
            {
                attempt = await FirstAttemptAsync(run.Token).ConfigureAwait(false);
            }
            catch (Exception first) when (!run.IsCancellationRequested && FailureClassifier.IsTransient(first))
            {
                var replayed = false;
                attempt = await Pipelines.Run.ExecuteAsync(
                    async ct =>
                    {
                        if (!replayed)
                        {
                            replayed = true;
                            ExceptionDispatchInfo.Throw(first);
                        }

                        return await AttemptAsync(ct).ConfigureAwait(false);
                    },
                    run.Token).ConfigureAwait(false);
            }

            ledger.Clear();
            ledger.Add(attempt.BackendPids);
            report = Report(WarmupState.Warm, attempt.BackendPids.Count, started, attempt.Phases, attempt.WorkFailure ?? _lastFailure)
                .WithReadiness(attempt.FirstReady, attempt.AllReady, attempt.FreeSlots);
            Settle(WarmupState.Warm, report);
            if (attempt.Deferred > 0 && topUp is not null)
            {
                attempt = await TopUpAsync(topUp, attempt, token).ConfigureAwait(false);
                ledger.Add(attempt.BackendPids.Where(p => !ledger.Contains(p)).ToArray());
                report = Report(WarmupState.Warm, attempt.BackendPids.Count, started, attempt.Phases, attempt.WorkFailure ?? _lastFailure)
                    .WithReadiness(attempt.FirstReady, attempt.AllReady, attempt.FreeSlots);
                Settle(WarmupState.Warm, report);
            }

            if (attempt.Deferred > 0)
            {
                // The top-up failed; its log line said why.
            }
            else if (attempt.WorkFailure is not null)
            {
                Log.WarmupWorkFailed(logger, name, settings.WarmConnections - report.ConnectionsWarmed, settings.WarmConnections, report.LastError!);
            }
            else if (report.ConnectionsWarmed < report.ConnectionsRequested)
            {
                Log.WarmupShortOfRoom(
                    logger, name, report.ConnectionsWarmed, report.ConnectionsRequested, report.FreeSlots?.ToString(CultureInfo.InvariantCulture) ?? "unknown", FairShare.Reserve);
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            report = Failed(new TimeoutException($"The warm-up did not finish within WarmupTimeout ({settings.WarmupTimeout})."), started, transientFailure);
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            report = Report(WarmupState.Stopped, 0, started, null, _lastFailure);
            _lastReport = report;
        }
        catch (Exception ex)
        {
            report = Failed(ex, started, transientFailure);
        }

        _recovering = false;
        activity?.SetTag("prewarm.state", report.State.ToString());
        activity?.SetTag("prewarm.connections", report.ConnectionsWarmed);
        Log.WarmupFinished(logger, name, report.State, report.ConnectionsWarmed, report.Duration.TotalMilliseconds, report.Attempts);
        instrumentation.WarmupFinished(report);
        return report;
    }

    // One core: the gate is Warm with the first connection; the others follow after the first invocation
    // (OneCoreTopUp). Outside the run's deadline (WarmupTimeout), which bounds getting warm: the top-up waits for
    // traffic to pause, which may take longer, and the pool serves meanwhile. A failure leaves the pool warm with what
    // it has (the first invocation's connection at least); the keep-alive pass tops it up later.
    private async Task<WarmupAttempt> TopUpAsync(OneCoreTopUp oneCore, WarmupAttempt attempt, CancellationToken token)
    {
        try
        {
            return await oneCore.RunAsync(attempt, signal, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            _lastFailure = ex;
            Log.TopUpFailed(logger, name, attempt.BackendPids.Count, settings.WarmConnections, redactor.Describe(ex));
            return attempt;
        }
    }

    private WarmupReport Failed(Exception ex, long started, Action<Exception> transientFailure)
    {
        var report = Report(WarmupState.Degraded, 0, started, null, ex);
        Settle(WarmupState.Degraded, report);
        if (FailureClassifier.IsTransient(ex))
        {
            Log.WarmupRunFailed(logger, name, report.Attempts, settings.RetryMaxDelay.TotalMilliseconds, report.LastError!);
            transientFailure(ex);
        }
        else
        {
            Log.WarmupFailedPermanently(logger, name, report.SqlState, report.LastError!);
        }

        return report;
    }

    private async Task<WarmupAttempt> FirstAttemptAsync(CancellationToken run)
    {
        using var attemptTimeout = new CancellationTokenSource(WarmupPipelines.AttemptTimeout(settings), time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(run, attemptTimeout.Token);
        try
        {
            return await AttemptAsync(attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (attemptTimeout.IsCancellationRequested && !run.IsCancellationRequested)
        {
            throw new TimeoutRejectedException($"The first warm-up attempt did not finish within {WarmupPipelines.AttemptTimeout(settings)}.");
        }
    }

    private async Task<WarmupAttempt> AttemptAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        instrumentation.Attempt();
        signal.BeginAttempt();
        try
        {
            return await warmer.WarmOnceAsync(signal, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _lastFailure = ex;
            if (FailureClassifier.IsNoRoom(ex) && signal.Ready > 0)
            {
                // A connection beyond the first was refused after all (an instance with none took the last slot in the
                // same instant): Npgsql has cleared the pool, the ones already serving included. Invocations wait at the
                // gate for the retry, which reopens at once into the slots just given back, instead of being turned away.
                _recovering = true;
                Volatile.Write(ref _recoverySince, time.GetTimestamp());
            }

            throw;
        }
    }

    private ValueTask OnRetryAsync(OnRetryArguments<object> args)
    {
        if (args.Outcome.Exception is { } ex)
        {
            var report = Report(WarmupState.Degraded, 0, time.GetTimestamp(), null, ex);
            if (_recovering && time.GetElapsedTime(Volatile.Read(ref _recoverySince)) < settings.GateTimeout)
            {
                _lastReport = report.WithState(WarmupState.Warming);
            }
            else
            {
                Settle(WarmupState.Degraded, report);
            }

            Log.WarmupRetrying(logger, name, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds, report.LastError!);
        }

        return ValueTask.CompletedTask;
    }

    private void Settle(WarmupState state, WarmupReport report)
    {
        if (signal.State == WarmupState.Stopped)
        {
            return;
        }

        _lastReport = report;
        signal.Settle(state);
    }

    private WarmupReport Report(WarmupState state, int warmed, long started, IReadOnlyDictionary<WarmupPhase, TimeSpan>? phases, Exception? failure) => new()
    {
        State = state,
        ConnectionsRequested = settings.WarmConnections,
        ConnectionsWarmed = warmed,
        Attempts = Volatile.Read(ref _attempts),
        Duration = time.GetElapsedTime(started),
        Phases = phases ?? new Dictionary<WarmupPhase, TimeSpan>(),
        LastError = failure is null ? null : redactor.Describe(failure),
        SqlState = failure is null ? null : FailureClassifier.SqlStateOf(failure),
        CompletedAt = time.GetUtcNow(),
    };
}
