namespace Prewarm.LocalPostgres;

/// <summary>How <see cref="PgBouncerProcess.StartAsync"/> configures pgbouncer.</summary>
public sealed class PgBouncerOptions
{
    /// <summary>Login roles pgbouncer accepts, name to plain password. pgbouncer needs the plain password to answer the server's scram-sha-256 challenge itself.</summary>
    public IDictionary<string, string> Users { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary><c>pool_mode</c>: <c>transaction</c>, as Azure Flexible Server's built-in pgbouncer runs by default.</summary>
    public string PoolMode { get; set; } = "transaction";

    /// <summary><c>default_pool_size</c>: server connections per database and user.</summary>
    public int DefaultPoolSize { get; set; } = 20;

    /// <summary><c>max_client_conn</c>.</summary>
    public int MaxClientConnections { get; set; } = 200;

    /// <summary>Extra <c>[pgbouncer]</c> settings, name to value as written in the ini file.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
