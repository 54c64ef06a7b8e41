using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Prewarm.Hosting;

// Building a host (generic, ASP.NET Core or Functions: all three are a HostApplicationBuilder underneath) resolves
// IOptions<HostOptions> for the host itself, which runs every IConfigureOptions<HostOptions>. Being one of them lets the
// early warm-up be taken over the moment the host exists, resolved from the container so the container disposes it.
internal sealed class AdoptAtBuild(EarlyStart adopted) : IConfigureOptions<HostOptions>
{
    public void Configure(HostOptions options) => _ = adopted;
}
