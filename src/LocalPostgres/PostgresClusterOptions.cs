namespace Prewarm.LocalPostgres;

/// <summary>How <see cref="PostgresCluster.CreateAsync"/> builds the cluster.</summary>
public sealed class PostgresClusterOptions
{
    /// <summary>The server's <c>max_connections</c>.</summary>
    public int MaxConnections { get; set; } = 100;

    /// <summary>Whether <see cref="PostgresCluster.CreateAsync"/> starts the server once it is configured.</summary>
    public bool Start { get; set; } = true;

    /// <summary>Extra <c>postgresql.conf</c> settings, name to value as written in the file (quote strings yourself).</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
