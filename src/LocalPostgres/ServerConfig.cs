using System.Globalization;
using System.Text;

namespace Prewarm.LocalPostgres;

/// <summary>Writes the cluster's settings into their own include file, so a port change rewrites one small file instead of editing postgresql.conf.</summary>
internal static class ServerConfig
{
    private const string IncludeFile = "prewarm.conf";

    public static void WriteInitial(string dataDirectory, int port, PostgresClusterOptions options)
    {
        File.AppendAllText(
            Path.Combine(dataDirectory, "postgresql.conf"),
            $"{Environment.NewLine}include '{IncludeFile}'{Environment.NewLine}");
        // TLS with scram over loopback only: the cluster exists to behave like the managed server, so nothing looser is allowed in.
        File.WriteAllText(
            Path.Combine(dataDirectory, "pg_hba.conf"),
            "hostssl all all 127.0.0.1/32 scram-sha-256\n");
        WriteSettings(dataDirectory, port, options);
    }

    public static void WriteSettings(string dataDirectory, int port, PostgresClusterOptions options)
    {
        var settings = new List<KeyValuePair<string, string>>
        {
            new("listen_addresses", "'127.0.0.1'"),
            new("port", port.ToString(CultureInfo.InvariantCulture)),
            // No Unix socket: socket paths are a source of permission and length failures, and TCP is what the code under test uses.
            new("unix_socket_directories", "''"),
            new("ssl", "on"),
            new("ssl_cert_file", $"'{ServerCertificate.CertificateFile}'"),
            new("ssl_key_file", $"'{ServerCertificate.KeyFile}'"),
            new("password_encryption", "'scram-sha-256'"),
            new("max_connections", options.MaxConnections.ToString(CultureInfo.InvariantCulture)),
            // The data is thrown away, so durability only costs time.
            new("fsync", "off"),
            new("synchronous_commit", "off"),
            new("full_page_writes", "off"),
        };
        settings.AddRange(options.Settings);

        var text = new StringBuilder();
        foreach (var (name, value) in settings)
        {
            text.Append(name).Append(" = ").Append(value).Append('\n');
        }

        File.WriteAllText(Path.Combine(dataDirectory, IncludeFile), text.ToString());
    }
}
