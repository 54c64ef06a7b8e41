using System.Globalization;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Infrastructure;

// The app settings every test runs the app with, in-process (FunctionsAppHost) and in the real worker (WorkerApp).
internal static class AppSettings
{
    public const int WarmConnections = 3;

    public static Dictionary<string, string?> For(PostgresFixture postgres, string applicationName) => new()
    {
        ["ConnectionStrings:postgres"] = postgres.AppConnectionString(applicationName),
        ["Prewarm:KeepAliveSchedule"] = "0 */2 * * * *",
        ["Prewarm:postgres:WarmConnections"] = WarmConnections.ToString(CultureInfo.InvariantCulture),
        // Longer than any test holds the warm-up back, so a wait ends only because the pool turned warm.
        ["Prewarm:postgres:GateTimeout"] = "00:01:00",
        // The library turns RetryMaxDelay / 2 into a circuit-breaker break, which Polly requires to be at least 0.5 s.
        ["Prewarm:postgres:RetryMaxDelay"] = "00:00:01",
        // On, as in production, but too long to tick during a test, so passes run only when a test runs one. At most
        // 10 % of Npgsql's default Connection Lifetime (3600 s), which the library requires.
        ["Prewarm:postgres:KeepAliveInterval"] = "00:05:00",
    };
}
