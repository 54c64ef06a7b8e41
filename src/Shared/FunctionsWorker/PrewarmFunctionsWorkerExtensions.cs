using Microsoft.Extensions.Hosting;
using Prewarm.Functions.Worker;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>Registers the Prewarm gate in an isolated-worker Function App.</summary>
public static class PrewarmFunctionsWorkerExtensions
{
    /// <summary>
    /// Holds every invocation until the data source registered with <c>AddPrewarmedNpgsql(connectionName)</c> is warm,
    /// up to its <c>GateTimeout</c>; then an HTTP caller gets 503 with <c>Retry-After</c> and any other trigger a
    /// <see cref="DatabaseNotReadyException"/>. A function that meets a dead connection makes the pool re-warm while the
    /// next invocations wait. The package's <c>Warmup</c> and <c>KeepAlive</c> functions pass without waiting.
    /// </summary>
    /// <remarks>
    /// Call it after <c>ConfigureFunctionsWebApplication()</c>, so that the gate sees the request's HttpContext. Calling it
    /// again, for the same or another name, adds to the one gate: it then waits for every name. A name that
    /// <c>AddPrewarmedNpgsql</c> never registered stops the worker at start, saying what to add; so does a missing or
    /// malformed <c>Prewarm:KeepAliveSchedule</c>, which the <c>KeepAlive</c> timer reads.
    /// </remarks>
    /// <param name="builder">The worker's builder (<c>FunctionsApplication.CreateBuilder(args)</c>).</param>
    /// <param name="connectionName">The name given to <c>AddPrewarmedNpgsql</c> or <c>AddKeyedPrewarmedNpgsql</c>.</param>
    /// <param name="ungatedFunctions">Functions that must answer while the pool is cold, such as a health function.</param>
    /// <returns>The builder.</returns>
    public static IFunctionsWorkerApplicationBuilder UsePrewarmGate(
        this IFunctionsWorkerApplicationBuilder builder, string connectionName, params string[] ungatedFunctions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (GateServices.Add(builder.Services, connectionName, ungatedFunctions, (builder as IHostApplicationBuilder)?.Configuration))
        {
            builder.UseMiddleware<PrewarmGateMiddleware>();
        }

        return builder;
    }
}
