using Npgsql;

namespace Prewarm.Configuration;

// Azure-minded defaults, applied only to keys the user's connection string leaves out.
internal static class ConnectionStringDefaults
{
    public static void Apply(NpgsqlConnectionStringBuilder connectionString)
    {
        // Npgsql 10 defaults GSS Encryption Mode to Prefer, which costs a round trip (and on some hosts a Kerberos
        // probe) per physical open against servers that never offer GSS, as Azure's do (npgsql #6524, #6555, #6655;
        // measured in docs/benchmarks.md). The one place this reason is written; docs link here.
        if (!connectionString.ContainsExplicit("GSS Encryption Mode"))
        {
            connectionString.GssEncryptionMode = GssEncryptionMode.Disable;
        }

        if (!connectionString.ContainsExplicit("Timeout"))
        {
            connectionString.Timeout = PrewarmDefaults.ConnectTimeoutSeconds;
        }

        if (!connectionString.ContainsExplicit("Keepalive"))
        {
            connectionString.KeepAlive = PrewarmDefaults.KeepaliveSeconds;
        }
    }

    public static void ApplyPgBouncer(NpgsqlConnectionStringBuilder connectionString, PrewarmSettings settings, string connectionName)
    {
        if (!settings.PgBouncer)
        {
            return;
        }

        if (connectionString.MaxAutoPrepare > 0)
        {
            throw new InvalidOperationException(
                $"Prewarm: 'ConnectionStrings:{connectionName}' sets Max Auto Prepare={connectionString.MaxAutoPrepare}, but 'Prewarm:{connectionName}:PgBouncer' is on: " +
                "in transaction pooling a prepared statement is not there in the next transaction. Remove Max Auto Prepare.");
        }

        connectionString.NoResetOnClose = true;
    }

    // Npgsql's idle pruner closes connections above Minimum Pool Size after Connection Idle Lifetime, so without
    // this the warmed connections would be gone five minutes after warm-up. The one place this reason is written.
    public static void KeepWarmConnections(NpgsqlConnectionStringBuilder connectionString, PrewarmSettings settings, string connectionName)
    {
        if (settings.WarmConnections > connectionString.MaxPoolSize)
        {
            throw new InvalidOperationException(
                $"Prewarm: 'Prewarm:{connectionName}:WarmConnections' is {settings.WarmConnections}, above the Maximum Pool Size ({connectionString.MaxPoolSize}) the data source builder ends with.");
        }

        connectionString.MinPoolSize = Math.Max(connectionString.MinPoolSize, settings.WarmConnections);
    }

    // The builder keeps the keys it was given under their canonical names, so Keys tells set from defaulted.
    public static bool ContainsExplicit(this NpgsqlConnectionStringBuilder connectionString, string canonicalKey) =>
        connectionString.Keys.Cast<string>().Contains(canonicalKey, StringComparer.OrdinalIgnoreCase);
}
