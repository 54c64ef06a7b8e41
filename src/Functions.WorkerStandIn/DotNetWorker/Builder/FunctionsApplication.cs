// Mirrors src/DotNetWorker/Builder/FunctionsApplication.cs (Microsoft.Azure.Functions.Worker 2.x).
namespace Microsoft.Azure.Functions.Worker.Builder;

public class FunctionsApplication
{
    public static FunctionsApplicationBuilder CreateBuilder(string[] args) => throw StandIn.HostRequired("FunctionsApplication.CreateBuilder");
}
