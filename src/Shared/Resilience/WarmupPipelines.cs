using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Prewarm.Resilience;

// Polly's recommended order, outermost first: total timeout -> retry -> circuit breaker -> attempt timeout.
// The breaker and attempt timeout are shared by warm-up runs and keep-alive passes, so while the database is down
// neither of them waits out a connect timeout per caller: an open circuit fails at once.
internal sealed class WarmupPipelines
{
    // One attempt opens N connections and runs the app's warm-up work: generous, yet well inside the run's deadline.
    private static readonly TimeSpan s_maxAttemptTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_minBreak = TimeSpan.FromMilliseconds(500);

    public WarmupPipelines(PrewarmSettings settings, TimeProvider time, Func<OnRetryArguments<object>, ValueTask> onRetry)
    {
        var transient = new PredicateBuilder().Handle<Exception>(FailureClassifier.IsTransient);

        Attempt = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 1.0,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(30),
                // Polly's floor for a break is 0.5 s; a short RetryMaxDelay must not turn into a startup crash.
                BreakDuration = settings.RetryMaxDelay / 2 > s_minBreak ? settings.RetryMaxDelay / 2 : s_minBreak,
            })
            .AddTimeout(AttemptTimeout(settings))
            .Build();

        Run = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddTimeout(settings.WarmupTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryBaseDelay,
                MaxDelay = settings.RetryMaxDelay,
                // Bounded by the run's total timeout, not by a count.
                MaxRetryAttempts = int.MaxValue,
                OnRetry = onRetry,
            })
            .AddPipeline(Attempt)
            .Build();
    }

    /// <summary>The bound of one attempt: generous, yet well inside the run's deadline.</summary>
    public static TimeSpan AttemptTimeout(PrewarmSettings settings) =>
        settings.WarmupTimeout < s_maxAttemptTimeout ? settings.WarmupTimeout : s_maxAttemptTimeout;

    /// <summary>A whole warm-up run: retried with backoff until its total deadline.</summary>
    public ResiliencePipeline Run { get; }

    /// <summary>One attempt, for passes that retry on their own schedule.</summary>
    public ResiliencePipeline Attempt { get; }
}
