using Microsoft.Extensions.DependencyInjection;
using Prewarm.Hosting;

namespace Prewarm;

/// <summary>
/// Finds what <c>AddPrewarmedNpgsql</c> or <c>AddKeyedPrewarmedNpgsql</c> registered for a connection name: for gates
/// and integrations that are told a name, not handed the objects (Prewarm.AspNetCore, Prewarm.Functions.Worker).
/// </summary>
public static class PrewarmServiceProviderExtensions
{
    /// <summary>The coordinator of the data source registered under <paramref name="connectionName"/>.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="connectionName">The name given to <c>AddPrewarmedNpgsql</c> or <c>AddKeyedPrewarmedNpgsql</c>.</param>
    /// <exception cref="InvalidOperationException">Nothing is registered under that name; the message says what to add.</exception>
    public static WarmupCoordinator GetRequiredPrewarmCoordinator(this IServiceProvider services, string connectionName) =>
        services.GetRequiredKeyedService<EarlyStart>(Find(services, connectionName)).Coordinator;

    /// <summary>
    /// The settings the data source registered under <paramref name="connectionName"/> runs with (configuration and
    /// the registration's callback applied). Read them; changing them after registration has no defined effect.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="connectionName">The name given to <c>AddPrewarmedNpgsql</c> or <c>AddKeyedPrewarmedNpgsql</c>.</param>
    /// <exception cref="InvalidOperationException">Nothing is registered under that name; the message says what to add.</exception>
    public static PrewarmSettings GetRequiredPrewarmSettings(this IServiceProvider services, string connectionName) =>
        Find(services, connectionName).Settings;

    private static PrewarmRegistration Find(IServiceProvider services, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var registered = services.GetServices<PrewarmRegistration>().ToList();
        // The plain registration first: it is the one the unkeyed NpgsqlDataSource and WarmupCoordinator resolve to.
        return registered.OrderBy(r => r.Keyed).FirstOrDefault(r => r.Name == connectionName)
            ?? throw new InvalidOperationException(registered.Count == 0
                ? $"Prewarm: no prewarmed data source is registered, so nothing can be gated on '{connectionName}'. " +
                  $"Add builder.AddPrewarmedNpgsql(\"{connectionName}\") to Program.cs."
                : $"Prewarm: no prewarmed data source is registered as '{connectionName}' (registered: " +
                  $"{string.Join(", ", registered.Select(r => $"'{r.Name}'"))}). Add builder.AddPrewarmedNpgsql(\"{connectionName}\") " +
                  "to Program.cs, or gate on a registered name.");
    }
}
