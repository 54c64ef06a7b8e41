using Npgsql;
using Prewarm.LocalPostgres;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Tls;

// A cluster of its own whose server certificate is issued by a test CA (the shared fixture's is self-signed), and a
// second, unrelated CA whose certificate a client may be wrongly given.
public sealed class CaSignedClusterFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("prewarm-tls-");
    private TestCertificateAuthority? _serverCa;
    private TestCertificateAuthority? _otherCa;
    private PostgresCluster? _cluster;

    /// <summary>The PEM file of the CA that issued the server's certificate.</summary>
    public string ServerCaPem => _serverCa!.PemPath;

    /// <summary>The PEM file of a CA that has nothing to do with the server.</summary>
    public string OtherCaPem => _otherCa!.PemPath;

    public async Task InitializeAsync()
    {
        _serverCa = new TestCertificateAuthority("prewarm-test-server-ca", _files.FullName);
        _otherCa = new TestCertificateAuthority("prewarm-test-other-ca", _files.FullName);
        _cluster = await PostgresCluster.CreateAsync(new PostgresClusterOptions { CertificateIssuer = _serverCa.Certificate });
        await _cluster.CreateRoleAsync(PostgresFixture.AppUser, PostgresFixture.AppPassword);
        await _cluster.CreateDatabaseAsync(PostgresFixture.AppDatabase, PostgresFixture.AppUser);
    }

    /// <summary>The app role's connection string with the given SSL Mode and Root Certificate, host 127.0.0.1.</summary>
    public string ConnectionString(SslMode sslMode, string rootCertificatePem) =>
        new NpgsqlConnectionStringBuilder(PostgresFixture.ConnectionStringFor(_cluster!, out _))
        {
            SslMode = sslMode,
            RootCertificate = rootCertificatePem,
        }.ConnectionString;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _serverCa?.Dispose();
        _otherCa?.Dispose();
        _files.Delete(recursive: true);
    }
}
