using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Prewarm.Tests.Tls;

// A CA of the test's own, made in-process: VerifyCA and VerifyFull need a server certificate that chains to a root the
// client is given, which the cluster's default self-signed certificate is not.
internal sealed class TestCertificateAuthority : IDisposable
{
    public TestCertificateAuthority(string name, string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        // What a connection string's Root Certificate points at: the CA's certificate alone, PEM, as Azure publishes its own.
        PemPath = Path.Combine(directory, $"{name}.pem");
        File.WriteAllText(PemPath, Certificate.ExportCertificatePem());
    }

    /// <summary>With its private key, so it can issue the cluster's certificate (PostgresClusterOptions.CertificateIssuer).</summary>
    public X509Certificate2 Certificate { get; }

    public string PemPath { get; }

    public void Dispose() => Certificate.Dispose();
}
