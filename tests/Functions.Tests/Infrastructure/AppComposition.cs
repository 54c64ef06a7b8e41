using Microsoft.Extensions.Hosting;
using Prewarm.Functions.Worker;

namespace Prewarm.Functions.Tests.Infrastructure;

// src/Functions/Program.cs's composition on a plain host builder (the worker's FunctionsApplicationBuilder needs the
// worker process): the same calls, with the gate's services registered as UsePrewarmGate registers them.
internal static class AppComposition
{
    public static void Compose(IHostApplicationBuilder builder)
    {
        var warmupWork = builder.AddSampleServices();
        builder.AddPrewarmedNpgsql(FunctionsAppSetup.ConnectionName, settings => settings.WarmupWork = warmupWork,
            dataSource => dataSource.Name = FunctionsAppSetup.ConnectionName);
        GateServices.Add(builder.Services, FunctionsAppSetup.ConnectionName, [FunctionNames.Health], builder.Configuration);
    }
}
