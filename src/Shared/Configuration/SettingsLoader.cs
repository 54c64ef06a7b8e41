using Microsoft.Extensions.Configuration;
using Npgsql;
using Prewarm.KeepAlive;

namespace Prewarm.Configuration;

// Reads and checks the settings while the app is still being built, so a mistake stops the app at startup with the
// configuration key to fix, instead of surfacing as a timeout on the first request. Error texts name keys, never values.
internal static class SettingsLoader
{
    private static readonly HashSet<string> s_keys = new(typeof(PrewarmSettings).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    public static PrewarmSettings Load(IConfiguration configuration, string connectionName, Action<PrewarmSettings>? configure)
    {
        var sectionPath = $"{PrewarmDefaults.ConfigSectionPrefix}:{connectionName}";
        var settings = new PrewarmSettings();
        var section = configuration.GetSection(sectionPath);
        // The binder counts internal properties as known keys and then skips them, so a key naming one (MaxParallelOpens,
        // say) would be silently ignored: only public settings are keys.
        if (section.GetChildren().FirstOrDefault(c => !s_keys.Contains(c.Key)) is { } unknown)
        {
            throw new InvalidOperationException($"Prewarm: '{sectionPath}:{unknown.Key}' is not a Prewarm setting; the settings are the public properties of PrewarmSettings.");
        }

        try
        {
            // A misspelt key is an error, not a silently ignored setting.
            section.Bind(settings, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"Prewarm: the configuration section '{sectionPath}' is invalid: {ex.Message}", ex);
        }

        if (configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.ConnectionString = connectionString;
        }

        configure?.Invoke(settings);
        Validate(settings, connectionName, sectionPath);
        return settings;
    }

    public static NpgsqlConnectionStringBuilder ParseConnectionString(PrewarmSettings settings, string connectionName)
    {
        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException(
                $"Prewarm: no connection string for '{connectionName}'. Set 'ConnectionStrings:{connectionName}' " +
                $"(environment variable ConnectionStrings__{connectionName}) or '{PrewarmDefaults.ConfigSectionPrefix}:{connectionName}:ConnectionString'.");
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // The inner message names the offending keyword; the string itself (and its password) is left out.
            throw new InvalidOperationException($"Prewarm: 'ConnectionStrings:{connectionName}' is not a valid Npgsql connection string: {ex.Message}");
        }
    }

    // No password means Entra ID unless the settings say otherwise; a password and Entra ID together is a mistake.
    public static bool UsesEntra(PrewarmSettings settings, NpgsqlConnectionStringBuilder connectionString, string connectionName)
    {
        // Npgsql also reads PGPASSWORD and a passfile, as libpq does: either counts as a password.
        var hasPassword = !string.IsNullOrEmpty(connectionString.Password) || !string.IsNullOrEmpty(connectionString.Passfile)
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PGPASSWORD"));
        var useEntra = settings.UseEntraAuthentication ?? (settings.Credential is not null || !hasPassword);
        if (useEntra && hasPassword)
        {
            throw new InvalidOperationException(
                $"Prewarm: 'ConnectionStrings:{connectionName}' has a password but Entra ID authentication is on ('{PrewarmDefaults.ConfigSectionPrefix}:{connectionName}:UseEntraAuthentication' or a Credential); remove one of them.");
        }

        return useEntra;
    }

    private static void Validate(PrewarmSettings settings, string connectionName, string sectionPath)
    {
        var connectionString = ParseConnectionString(settings, connectionName);
        var key = $"ConnectionStrings:{connectionName}";
        if (string.IsNullOrWhiteSpace(connectionString.Host))
        {
            throw new InvalidOperationException($"Prewarm: '{key}' has no Host.");
        }

        if (connectionString.Timeout < 0 || connectionString.ContainsExplicit("Timeout") && connectionString.Timeout == 0)
        {
            throw new InvalidOperationException($"Prewarm: '{key}' sets Timeout={connectionString.Timeout}; a connect timeout must be positive (0 waits forever).");
        }

        var maxPool = connectionString.MaxPoolSize;
        if (settings.WarmConnections < 1 || settings.WarmConnections > maxPool)
        {
            throw new InvalidOperationException(
                $"Prewarm: '{sectionPath}:WarmConnections' is {settings.WarmConnections}; it must be between 1 and the Maximum Pool Size of '{key}' ({maxPool}).");
        }

        RequirePositive(settings.StartupTimeout, sectionPath, nameof(PrewarmSettings.StartupTimeout));
        RequirePositive(settings.GateTimeout, sectionPath, nameof(PrewarmSettings.GateTimeout));
        RequirePositive(settings.WarmupTimeout, sectionPath, nameof(PrewarmSettings.WarmupTimeout));
        RequirePositive(settings.RetryMaxDelay, sectionPath, nameof(PrewarmSettings.RetryMaxDelay));
        if (settings.RetryMaxDelay < settings.RetryBaseDelay)
        {
            throw new InvalidOperationException($"Prewarm: '{sectionPath}:RetryMaxDelay' ({settings.RetryMaxDelay}) is below the first retry delay ({settings.RetryBaseDelay}).");
        }

        if (settings.KeepAliveInterval < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Prewarm: '{sectionPath}:KeepAliveInterval' is negative; use 00:00:00 to turn the background keep-alive off.");
        }

        if (settings.StartJitter < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Prewarm: '{sectionPath}:StartJitter' is negative; use 00:00:00 for none.");
        }

        // The pass retires each connection between 70 % and 90 % of its lifetime; the 10 % left must cover one period.
        var lifetime = TimeSpan.FromSeconds(connectionString.ConnectionLifetime);
        var margin = lifetime * (1 - PoolLedger.LatestRetirement);
        if (lifetime > TimeSpan.Zero && settings.KeepAliveInterval > margin)
        {
            throw new InvalidOperationException(
                $"Prewarm: '{key}' sets Connection Lifetime={connectionString.ConnectionLifetime} s, but '{sectionPath}:KeepAliveInterval' is {settings.KeepAliveInterval}: " +
                $"the keep-alive pass retires connections between 70 % and 90 % of their lifetime, so it must run at least every {margin} (10 %). Shorten the interval or lengthen the lifetime.");
        }
    }

    private static void RequirePositive(TimeSpan value, string sectionPath, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Prewarm: '{sectionPath}:{name}' is {value}; it must be positive.");
        }
    }
}
