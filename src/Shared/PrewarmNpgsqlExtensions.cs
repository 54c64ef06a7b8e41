using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Prewarm;
using Prewarm.Authentication;
using Prewarm.Configuration;
using Prewarm.Diagnostics;
using Prewarm.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers a prewarmed <see cref="NpgsqlDataSource"/>.</summary>
public static class PrewarmNpgsqlExtensions
{
    /// <summary>
    /// Registers one singleton <see cref="NpgsqlDataSource"/> (also as <see cref="DbDataSource"/>), its
    /// <see cref="WarmupCoordinator"/>, a hosted service and a health check, and starts warming it at once: the first
    /// connection opens while the rest of the app is still being built. Configuration errors throw here, naming the key.
    /// Configuration: <c>ConnectionStrings:{connectionName}</c> and the section <c>Prewarm:{connectionName}</c>.
    /// </summary>
    /// <param name="builder">The host builder (a Functions, ASP.NET Core or generic host builder).</param>
    /// <param name="connectionName">The connection string's name, also the settings section's.</param>
    /// <param name="configureSettings">Runs after configuration binding: set the warm-up work here.</param>
    /// <param name="configureDataSourceBuilder">Runs last on Npgsql's own builder: anything Npgsql offers.</param>
    public static void AddPrewarmedNpgsql(this IHostApplicationBuilder builder, string connectionName,
        Action<PrewarmSettings>? configureSettings = null, Action<NpgsqlDataSourceBuilder>? configureDataSourceBuilder = null) =>
        AddCore(builder, connectionName, serviceKey: null, configureSettings, configureDataSourceBuilder);

    /// <summary>As <see cref="AddPrewarmedNpgsql"/>, registered as keyed services under <paramref name="name"/>, for several databases.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="name">The connection string's name, the settings section's and the service key.</param>
    /// <param name="configureSettings">Runs after configuration binding.</param>
    /// <param name="configureDataSourceBuilder">Runs last on Npgsql's own builder.</param>
    public static void AddKeyedPrewarmedNpgsql(this IHostApplicationBuilder builder, string name,
        Action<PrewarmSettings>? configureSettings = null, Action<NpgsqlDataSourceBuilder>? configureDataSourceBuilder = null) =>
        AddCore(builder, name, serviceKey: name, configureSettings, configureDataSourceBuilder);

    private static void AddCore(
        IHostApplicationBuilder builder,
        string connectionName,
        string? serviceKey,
        Action<PrewarmSettings>? configureSettings,
        Action<NpgsqlDataSourceBuilder>? configureDataSourceBuilder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);

        var services = builder.Services;
        if (services.Any(d => d.ImplementationInstance is PrewarmRegistration r && r.Name == connectionName && r.Keyed == (serviceKey is not null)))
        {
            return; // Idempotent: the first registration of a name wins.
        }

        var settings = SettingsLoader.Load(builder.Configuration, connectionName, configureSettings);
        var marker = new PrewarmRegistration(connectionName, serviceKey is not null, settings);
        var parsed = SettingsLoader.ParseConnectionString(settings, connectionName);
        var useEntra = SettingsLoader.UsesEntra(settings, parsed, connectionName);
        var redactor = new SecretRedactor(parsed);

        // The warm-up starts here, before the host exists (see EarlyStart), so it runs on the clock registered so far
        // (tests register a fake one first) and logs into a buffer that the host's logging takes over once it is built.
        var time = services.LastOrDefault(d => d.ServiceType == typeof(TimeProvider) && !d.IsKeyedService)?.ImplementationInstance as TimeProvider
            ?? TimeProvider.System;
        services.TryAddSingleton(time);
        services.AddMetrics();
        var loggers = new DeferredLoggerFactory();
        var logger = loggers.CreateLogger<WarmupCoordinator>();
        var tokenSource = useEntra
            ? new EntraTokenSource(connectionName, settings.Credential ?? EntraCredentials.CreateDefault(), settings, time, redactor, logger)
            : null;
        var buildDataSource = DataSourceFactory.Prepare(settings, connectionName, loggers, tokenSource, configureDataSourceBuilder);
        var instrumentation = new PrewarmInstrumentation(connectionName);
        var early = new EarlyStart(connectionName, settings, time, loggers, instrumentation, () =>
        {
            var dataSource = buildDataSource();
            return (dataSource, new WarmupCoordinator(connectionName, dataSource, settings, time, logger, instrumentation, redactor, tokenSource));
        });

        // Resolved from the container (not registered as an instance), so that disposing the host's services disposes it.
        services.AddSingleton(marker);
        services.AddKeyedSingleton(marker, (sp, _) => early.Adopt(sp));
        services.AddSingleton<IConfigureOptions<HostOptions>>(sp => new AdoptAtBuild(sp.GetRequiredKeyedService<EarlyStart>(marker)));
        EarlyStart Adopted(IServiceProvider sp) => sp.GetRequiredKeyedService<EarlyStart>(marker);

        if (serviceKey is null)
        {
            services.TryAddSingleton(sp => Adopted(sp).DataSource);
            services.TryAddSingleton<DbDataSource>(sp => sp.GetRequiredService<NpgsqlDataSource>());
            services.TryAddTransient(sp => sp.GetRequiredService<NpgsqlDataSource>().CreateConnection());
            services.TryAddSingleton(sp => Adopted(sp).Coordinator);
        }
        else
        {
            services.TryAddKeyedSingleton(serviceKey, (sp, _) => Adopted(sp).DataSource);
            services.TryAddKeyedSingleton<DbDataSource>(serviceKey, (sp, key) => sp.GetRequiredKeyedService<NpgsqlDataSource>(key));
            services.TryAddKeyedTransient(serviceKey, (sp, key) => sp.GetRequiredKeyedService<NpgsqlDataSource>(key).CreateConnection());
            services.TryAddKeyedSingleton(serviceKey, (sp, _) => Adopted(sp).Coordinator);
        }

        // Not AddHostedService: it de-duplicates by type, which would drop every keyed source but the first.
        services.AddSingleton<IHostedService>(sp => new WarmupHostedService(
            Adopted(sp),
            settings,
            time,
            sp.GetService<ILogger<WarmupHostedService>>() ?? NullLogger<WarmupHostedService>.Instance));

        if (!settings.DisableHealthChecks)
        {
            services.AddHealthChecks().Add(new HealthCheckRegistration(
                $"prewarm_{connectionName}",
                sp => new PrewarmHealthCheck(Adopted(sp).Coordinator, settings),
                failureStatus: null,
                tags: ["prewarm", "ready"]));
        }

        // Last, once every registration above has succeeded: nothing is opened for a registration that threw.
        early.Begin();
    }
}
