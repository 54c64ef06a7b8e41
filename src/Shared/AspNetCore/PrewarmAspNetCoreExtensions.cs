using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prewarm;
using Prewarm.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The Prewarm gate and readiness endpoint for an ASP.NET Core app.</summary>
public static class PrewarmAspNetCoreExtensions
{
    /// <summary>
    /// Holds every request until the data source registered with <c>AddPrewarmedNpgsql(connectionName)</c> is warm, up
    /// to its <c>GateTimeout</c> (10 s by default; the k-th request waits for the k-th warm connection); then answers
    /// 503 with <c>Retry-After</c>. A request that meets a dead connection makes the pool re-warm while the next ones wait.
    /// Endpoints marked <see cref="DisablePrewarmGate{TBuilder}(TBuilder)"/> and the readiness endpoint pass at once.
    /// </summary>
    /// <remarks>
    /// Place it after <c>UseRouting</c> when the app calls that itself (<c>WebApplication</c> routes first otherwise), so
    /// that it sees which endpoints opt out. Calling it again, for the same or another name, adds to the one gate: it then
    /// waits for every name. A name <c>AddPrewarmedNpgsql</c> never registered throws here, saying what to add.
    /// </remarks>
    /// <param name="app">The app (<c>WebApplication</c> or any <see cref="IApplicationBuilder"/>).</param>
    /// <param name="connectionName">The name given to <c>AddPrewarmedNpgsql</c> or <c>AddKeyedPrewarmedNpgsql</c>.</param>
    /// <returns>The app.</returns>
    /// <exception cref="InvalidOperationException">Nothing is registered under <paramref name="connectionName"/>.</exception>
    public static IApplicationBuilder UsePrewarmGate(this IApplicationBuilder app, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.ApplicationServices.GetRequiredPrewarmSettings(connectionName);
        var coordinator = LazyCoordinator(app.ApplicationServices, connectionName);
        if (app.Properties.TryGetValue(PrewarmGate.PropertyKey, out var existing) && existing is PrewarmGate gate)
        {
            gate.Add(coordinator, settings);
            return app;
        }

        gate = new PrewarmGate(app.ApplicationServices.GetRequiredService<ILogger<PrewarmGate>>());
        gate.Add(coordinator, settings);
        app.Properties[PrewarmGate.PropertyKey] = gate;
        return app.Use(gate.Wrap);
    }

    /// <summary>
    /// Maps a readiness endpoint (GET and HEAD) for probes and App Service's <c>WEBSITE_WARMUP_PATH</c>: 200 when the
    /// data source registered as <paramref name="connectionName"/> is warm, otherwise 503 with <c>Retry-After</c>. It
    /// answers at once, never waiting for the warm-up, and its body names the state only. The gate lets it through.
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="pattern">The route, e.g. <c>/ready</c>.</param>
    /// <param name="connectionName">The name given to <c>AddPrewarmedNpgsql</c> or <c>AddKeyedPrewarmedNpgsql</c>.</param>
    /// <returns>The endpoint, for more conventions (host, authorization).</returns>
    /// <exception cref="InvalidOperationException">Nothing is registered under <paramref name="connectionName"/>.</exception>
    public static IEndpointConventionBuilder MapPrewarmReadiness(this IEndpointRouteBuilder endpoints, string pattern, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var settings = endpoints.ServiceProvider.GetRequiredPrewarmSettings(connectionName);
        var coordinator = LazyCoordinator(endpoints.ServiceProvider, connectionName);
        return endpoints.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head], ReadinessEndpoint.For(coordinator, settings))
            .WithDisplayName($"Prewarm readiness '{connectionName}'")
            .DisablePrewarmGate();
    }

    // The name is checked by GetRequiredPrewarmSettings, at once; the coordinator is taken at the first request (see PrewarmGate).
    private static Lazy<WarmupCoordinator> LazyCoordinator(IServiceProvider services, string connectionName) =>
        new(() => services.GetRequiredPrewarmCoordinator(connectionName));

    /// <summary>Lets the endpoint answer while the pool is cold: the gate passes it at once (a liveness endpoint, a DB-free page).</summary>
    /// <typeparam name="TBuilder">The endpoint's builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The builder.</returns>
    public static TBuilder DisablePrewarmGate<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(DisablePrewarmGateMetadata.Instance));
        return builder;
    }
}
