using Npgsql;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Tls;

// Nothing the library does about the root store's cost (docs/tls.md) may loosen what the connection string asks for:
// VerifyFull and VerifyCA with a Root Certificate still accept the server only through that CA.
public sealed class VerifyFullTests(CaSignedClusterFixture cluster) : IClassFixture<CaSignedClusterFixture>
{
    private static readonly TimeSpan s_bound = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData(SslMode.VerifyFull)]
    [InlineData(SslMode.VerifyCA)]
    public async Task Verify_WithTheCaThatIssuedTheServersCertificate_Warms(SslMode sslMode)
    {
        var report = await WarmAsync(sslMode, cluster.ServerCaPem);

        Assert.True(report.State == WarmupState.Warm, report.LastError);
        Assert.Equal(2, report.ConnectionsWarmed);
    }

    [Theory]
    [InlineData(SslMode.VerifyFull)]
    [InlineData(SslMode.VerifyCA)]
    public async Task Verify_WithAnotherCa_RejectsTheServer_AndWarmsNothing(SslMode sslMode)
    {
        var report = await WarmAsync(sslMode, cluster.OtherCaPem);

        Assert.Equal(WarmupState.Degraded, report.State);
        Assert.Equal(0, report.ConnectionsWarmed);
        // Npgsql's own words for a server certificate its Root Certificate does not vouch for.
        Assert.Contains("SSL handshake", report.LastError, StringComparison.Ordinal);
        Assert.Contains("RemoteCertificateValidationCallback", report.LastError, StringComparison.Ordinal);
    }

    private async Task<WarmupReport> WarmAsync(SslMode sslMode, string rootCertificatePem)
    {
        await using var app = TestApp.Create(cluster.ConnectionString(sslMode, rootCertificatePem), s => s.WarmConnections = 2);
        await app.StartAsync();
        // Joins the run begun at registration and returns its report once all N are warm, or once it has failed.
        return await app.Coordinator.EnsureWarmAsync().WaitAsync(s_bound);
    }
}
