using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Prewarm.Functions.Worker;

/// <summary>
/// The <c>Warmup</c> function: runs when the platform adds an instance (Premium and Dedicated plans only; not on
/// Consumption, not on restarts), and holds the instance out of rotation until every gated pool is warm. Only a hint:
/// the warm-up already started at host start, and the gate covers every invocation that arrives before it ends.
/// The app's functions metadata lists it because the worker SDK's source generator indexes referenced assemblies.
/// </summary>
public sealed class PrewarmWarmupFunction
{
    /// <summary>Returns when every pool the gate waits for is warm; throws <see cref="DatabaseNotReadyException"/> when one is not within <c>Prewarm:WarmupFunctionTimeout</c> (30 s by default).</summary>
    /// <param name="warmupContext">The trigger's payload (unused).</param>
    /// <param name="context">The invocation.</param>
    // An instance method, as the worker activates the class per invocation; it needs no state of its own.
#pragma warning disable CA1822
    [Function(PrewarmFunctionNames.Warmup)]
    public async Task Run([WarmupTrigger] object warmupContext, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.InstanceServices;
        var timeout = services.GetRequiredService<FunctionSettings>().WarmupFunctionTimeout;
        var logger = services.GetRequiredService<ILogger<PrewarmWarmupFunction>>();
        foreach (var name in GateNames(services))
        {
            await WarmAsync(services.GetRequiredPrewarmCoordinator(name), timeout, logger, context.CancellationToken).ConfigureAwait(false);
        }
    }
#pragma warning restore CA1822

    // The gate's names: without UsePrewarmGate the package's functions have nothing to warm, so they say what to add.
    internal static IReadOnlyList<string> GateNames(IServiceProvider services) =>
        services.GetService<GateRegistration>()?.Names ?? throw new InvalidOperationException(
            "Prewarm.Functions.Worker: the Warmup and KeepAlive functions need the gate: add builder.UsePrewarmGate(\"postgres\") to Program.cs, with the name given to AddPrewarmedNpgsql.");

    private static async Task WarmAsync(WarmupCoordinator coordinator, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        WarmupReport report;
        try
        {
            // EnsureWarmAsync joins the run host start began; cancelling the wait leaves that run going.
            report = await coordinator.EnsureWarmAsync(cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.WarmupFunctionTimedOut(logger, coordinator.Name, timeout.TotalSeconds, coordinator.State);
            throw new DatabaseNotReadyException(
                $"Warmup: '{coordinator.Name}' is not warm after {timeout.TotalSeconds:0.#} s (state {coordinator.State}).");
        }

        if (report.State != WarmupState.Warm)
        {
            Log.WarmupFunctionFailed(logger, coordinator.Name, report.State, report.Attempts, report.LastError);
            throw new DatabaseNotReadyException(
                $"Warmup: '{coordinator.Name}' is {report.State} after {report.Attempts} attempt(s): {report.LastError}");
        }

        Log.WarmupFunctionWarm(logger, coordinator.Name, report.ConnectionsWarmed, report.Duration.TotalMilliseconds, report.Attempts);
    }
}
