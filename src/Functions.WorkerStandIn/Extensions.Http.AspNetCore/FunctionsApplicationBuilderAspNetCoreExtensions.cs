// Mirrors extensions/Worker.Extensions.Http.AspNetCore/src/FunctionsApplicationBuilderAspNetCoreExtensions.cs.
// Upstream wires the ASP.NET Core integration into the worker host; there is no host here, so it throws.
namespace Microsoft.Azure.Functions.Worker.Builder;

public static class FunctionsApplicationBuilderAspNetCoreExtensions
{
    public static FunctionsApplicationBuilder ConfigureFunctionsWebApplication(this FunctionsApplicationBuilder builder)
        => throw StandIn.HostRequired(nameof(ConfigureFunctionsWebApplication));
}
