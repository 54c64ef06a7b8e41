using Prewarm.Warmup;

namespace Prewarm.Tests.Tls;

// When the library loads the machine's root certificates ahead of the first handshake (docs/tls.md).
public sealed class RootStorePreloadTests
{
    private const string Tls = "Host=127.0.0.1;Username=u;SSL Mode=Require";

    [Fact]
    public async Task BeginIfTls_WithTlsOnTwoCores_LoadsTheStoreBeside()
    {
        var load = RootStorePreload.BeginIfTls(Tls, processorCount: 2);

        Assert.NotNull(load);
        await load.WaitAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void BeginIfTls_OnOneCore_LoadsNothing() => Assert.Null(RootStorePreload.BeginIfTls(Tls, processorCount: 1));

    [Fact]
    public void BeginIfTls_WithoutTls_LoadsNothing() =>
        Assert.Null(RootStorePreload.BeginIfTls("Host=127.0.0.1;Username=u;SSL Mode=Disable", processorCount: 2));
}
