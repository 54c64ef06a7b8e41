using System.Net.Sockets;
using System.Threading.Channels;
using Npgsql;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Testing;
using Polly.Timeout;
using Prewarm.Resilience;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Resilience;

// The pipelines' shape, read back with Polly.Testing. The order decides behaviour: a breaker outside the retry would
// fail a whole run on its first open circuit, and an attempt timeout outside the retry would cap the run instead.
public sealed class WarmupPipelinesTests
{
    private static readonly TimeSpan s_maxAttemptTimeout = TimeSpan.FromSeconds(30);

    // Only a guard against a hang turning into a stuck test run; a passing test never waits this long.
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public void Run_IsTotalTimeout_Retry_Breaker_AttemptTimeout_OutermostFirst()
    {
        var settings = new PrewarmSettings
        {
            WarmupTimeout = TimeSpan.FromSeconds(90),
            RetryBaseDelay = TimeSpan.FromMilliseconds(300),
            RetryMaxDelay = TimeSpan.FromSeconds(8),
        };

        var strategies = Build(settings).Run.GetPipelineDescriptor().Strategies;

        Assert.Collection(
            strategies,
            total => Assert.Equal(settings.WarmupTimeout, Assert.IsType<TimeoutStrategyOptions>(total.Options).Timeout),
            retry =>
            {
                var options = Assert.IsType<RetryStrategyOptions>(retry.Options);
                Assert.Equal(DelayBackoffType.Exponential, options.BackoffType);
                Assert.True(options.UseJitter);
                Assert.Equal(settings.RetryBaseDelay, options.Delay);
                Assert.Equal(settings.RetryMaxDelay, options.MaxDelay);
                // Bounded by the total timeout above it, not by a count.
                Assert.Equal(int.MaxValue, options.MaxRetryAttempts);
            },
            breaker => Assert.IsType<CircuitBreakerStrategyOptions>(breaker.Options),
            attempt => Assert.Equal(s_maxAttemptTimeout, Assert.IsType<TimeoutStrategyOptions>(attempt.Options).Timeout));
    }

    [Fact]
    public void Attempt_IsTheRunsOwnBreakerAndAttemptTimeout_SharedNotCopied()
    {
        var pipelines = Build(new PrewarmSettings());

        var run = pipelines.Run.GetPipelineDescriptor().Strategies;
        var attempt = pipelines.Attempt.GetPipelineDescriptor().Strategies;

        // Keep-alive passes and warm-up runs must trip and see the same circuit.
        Assert.Equal(2, attempt.Count);
        Assert.Same(run[2].StrategyInstance, attempt[0].StrategyInstance);
        Assert.Same(run[3].StrategyInstance, attempt[1].StrategyInstance);
    }

    public static TheoryData<Exception, bool> Failures => new()
    {
        { new SocketException((int)SocketError.ConnectionRefused), true },
        { new PostgresException("the database system is starting up", "FATAL", "FATAL", "57P03"), true },
        { new TimeoutRejectedException(), true },
        { new PostgresException("password authentication failed", "FATAL", "FATAL", "28P01"), false },
        { new PostgresException("database \"x\" does not exist", "FATAL", "FATAL", "3D000"), false },
        { new InvalidOperationException("a bug in the warm-up work"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task RetryAndBreaker_HandleTransientFailuresOnly(Exception failure, bool handled)
    {
        var run = Build(new PrewarmSettings()).Run.GetPipelineDescriptor().Strategies;
        var retry = Assert.IsType<RetryStrategyOptions>(run[1].Options);
        var breaker = Assert.IsType<CircuitBreakerStrategyOptions>(run[2].Options);
        var context = ResilienceContextPool.Shared.Get();
        var outcome = Outcome.FromException<object>(failure);

        Assert.Equal(handled, await retry.ShouldHandle(new RetryPredicateArguments<object>(context, outcome, 0)));
        Assert.Equal(handled, await breaker.ShouldHandle(new CircuitBreakerPredicateArguments<object>(context, outcome)));
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public void Breaker_OpensAfterThreeFailuresInARow_ForHalfTheMaxDelay()
    {
        var options = BreakerOptions(new PrewarmSettings { RetryMaxDelay = TimeSpan.FromSeconds(8) });

        Assert.Equal(1.0, options.FailureRatio);
        Assert.Equal(3, options.MinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(4), options.BreakDuration);
    }

    [Fact]
    public void Breaker_ShortMaxDelay_BreaksForPollysMinimum()
    {
        var options = BreakerOptions(new PrewarmSettings { RetryMaxDelay = TimeSpan.FromMilliseconds(600) });

        Assert.Equal(TimeSpan.FromMilliseconds(500), options.BreakDuration);
    }

    [Fact]
    public void AttemptTimeout_ShortWarmupTimeout_IsTheWarmupTimeout()
    {
        var settings = new PrewarmSettings { WarmupTimeout = TimeSpan.FromSeconds(12) };

        var attempt = Build(settings).Attempt.GetPipelineDescriptor().Strategies[1];

        Assert.Equal(settings.WarmupTimeout, Assert.IsType<TimeoutStrategyOptions>(attempt.Options).Timeout);
    }

    // Short delays once tripped Polly's 0.5 s floor on the breaker's break when the pipeline was built. The pipeline
    // is built only after a failed first attempt now, so this runs it: it must be built, retry a transient failure
    // many times, and wait each time for a delay (on the fake clock) no longer than RetryMaxDelay.
    [Fact]
    public async Task Run_ShortRetryDelays_RetriesWithDelaysCappedAtRetryMaxDelay()
    {
        const int retries = 12;
        var settings = new PrewarmSettings
        {
            WarmupTimeout = TimeSpan.FromMinutes(10),
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        };
        var time = new TimerTrackingTimeProvider();
        var announced = Channel.CreateUnbounded<TimeSpan>();
        var pipelines = new WarmupPipelines(settings, time, args => announced.Writer.WriteAsync(args.RetryDelay));
        var failing = true;
        using var guard = new CancellationTokenSource(s_hangGuard);

        var run = pipelines.Run.ExecuteAsync(
            _ => Volatile.Read(ref failing) ? throw new SocketException((int)SocketError.ConnectionRefused) : ValueTask.CompletedTask,
            guard.Token).AsTask();

        var waited = new List<TimeSpan>();
        while (true)
        {
            var next = announced.Reader.ReadAsync(guard.Token).AsTask();
            if (await Task.WhenAny(next, run) == run)
            {
                break;
            }

            // The delay Polly announced is the timer it arms: wait for that timer, then let exactly that much time pass.
            var delay = await next;
            if (delay > TimeSpan.Zero)
            {
                await time.WaitForTimerWithinAsync(delay, guard.Token);
                time.Advance(delay);
            }

            waited.Add(delay);
            if (waited.Count == retries)
            {
                Volatile.Write(ref failing, false);
            }
        }

        await run;
        Assert.True(waited.Count >= retries);
        Assert.All(waited, delay => Assert.InRange(delay, TimeSpan.Zero, settings.RetryMaxDelay));
    }

    private static WarmupPipelines Build(PrewarmSettings settings) => new(settings, TimeProvider.System, _ => ValueTask.CompletedTask);

    private static CircuitBreakerStrategyOptions BreakerOptions(PrewarmSettings settings) =>
        Assert.IsType<CircuitBreakerStrategyOptions>(Build(settings).Attempt.GetPipelineDescriptor().Strategies[0].Options);
}
