namespace Prewarm.SampleApp;

/// <summary>How the app gets its database ready; the things <c>prewarm compare</c> puts side by side.</summary>
internal enum StartupStrategy
{
    /// <summary>A plain <c>NpgsqlDataSource</c>: the first request opens the first connection.</summary>
    None,

    /// <summary>One <c>SELECT 1</c> before serving, like a FastAPI lifespan hook.</summary>
    Select1,

    /// <summary><c>AddPrewarmedNpgsql</c> with the app's own query as warm-up work.</summary>
    Prewarm,

    /// <summary>No database at all: <c>/orders</c> answers the same shape from memory, so Npgsql is never loaded. The floor a warm-up aims at.</summary>
    NoDb,
}

internal static class StartupStrategies
{
    public const string ConfigKey = "SampleApp:Strategy";

    public static StartupStrategy FromConfiguration(IConfiguration configuration)
    {
        var text = configuration[ConfigKey] ?? "prewarm";
        return text.ToUpperInvariant() switch
        {
            "NONE" => StartupStrategy.None,
            "SELECT1" => StartupStrategy.Select1,
            "PREWARM" => StartupStrategy.Prewarm,
            "NODB" => StartupStrategy.NoDb,
            _ => throw new InvalidOperationException($"{ConfigKey} must be none, select1, prewarm or nodb, not '{text}'."),
        };
    }
}
