using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Prewarm.LocalPostgres;

/// <summary>A localhost certificate made in-process (self-signed, or issued by a given CA), so the cluster needs no openssl binary.</summary>
internal static class ServerCertificate
{
    public const string CertificateFile = "server.crt";
    public const string KeyFile = "server.key";

    public static void WriteTo(string dataDirectory, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));

        var now = DateTimeOffset.UtcNow;
        using var certificate = issuer is null
            ? request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1))
            : Issue(request, issuer, now);

        File.WriteAllText(Path.Combine(dataDirectory, CertificateFile), certificate.ExportCertificatePem());
        // PostgreSQL refuses a key file others can read.
        PrivateFiles.WriteNew(Path.Combine(dataDirectory, KeyFile), key.ExportPkcs8PrivateKeyPem());
    }

    private static X509Certificate2 Issue(CertificateRequest request, X509Certificate2 issuer, DateTimeOffset now)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        // Not past the issuer's own validity: Create refuses that.
        var notAfter = issuer.NotAfter < now.AddYears(1).UtcDateTime ? new DateTimeOffset(issuer.NotAfter) : now.AddYears(1);
        return request.Create(issuer, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
    }
}
