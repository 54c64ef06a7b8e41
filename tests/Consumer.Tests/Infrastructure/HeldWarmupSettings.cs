using System.Globalization;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Consumer.Tests.Infrastructure;

// The settings every consumer app runs with: configuration only, as a user's app settings would give them.
internal static class HeldWarmupSettings
{
    public const int WarmConnections = 3;

    public static Dictionary<string, string?> For(PostgresFixture postgres, string applicationName) => new()
    {
        ["ConnectionStrings:postgres"] = postgres.AppConnectionString(applicationName),
        ["Prewarm:postgres:WarmConnections"] = WarmConnections.ToString(CultureInfo.InvariantCulture),
        // Configuration alone sets warm-up work: a read of the table the test locks (TableLock) to hold the warm-up back.
        ["Prewarm:postgres:WarmupQueries:0"] = "SELECT count(*) FROM prewarm_orders",
        // Longer than the lock is held, so the gated request waits for warm, not for the timeout.
        ["Prewarm:postgres:GateTimeout"] = "00:01:00",
        // Short, so that with the database down the gate decides quickly (Degraded) instead of waiting out the minute.
        ["Prewarm:postgres:RetryMaxDelay"] = "00:00:01",
    };
}
