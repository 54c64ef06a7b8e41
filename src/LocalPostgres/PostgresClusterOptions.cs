using System.Security.Cryptography.X509Certificates;

namespace Prewarm.LocalPostgres;

/// <summary>How <see cref="PostgresCluster.CreateAsync"/> builds the cluster.</summary>
public sealed class PostgresClusterOptions
{
    /// <summary>The server's <c>max_connections</c>.</summary>
    public int MaxConnections { get; set; } = 100;

    /// <summary>Whether <see cref="PostgresCluster.CreateAsync"/> starts the server once it is configured.</summary>
    public bool Start { get; set; } = true;

    /// <summary>
    /// A CA certificate with its private key that issues the server's localhost certificate. Null (the default): the
    /// certificate is self-signed, which only <c>SSL Mode=Require</c> accepts; a CA lets tests use <c>VerifyCA</c> and <c>VerifyFull</c>.
    /// </summary>
    public X509Certificate2? CertificateIssuer { get; set; }

    /// <summary>Extra <c>postgresql.conf</c> settings, name to value as written in the file (quote strings yourself).</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
