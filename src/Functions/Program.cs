using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Prewarm.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
var warmupWork = builder.AddSampleServices();
// The first connection starts opening right here, in the background, while the worker builds and shakes hands with
// the host, which never waits for it. Npgsql tags its pool metrics with the data source's name.
builder.AddPrewarmedNpgsql(FunctionsAppSetup.ConnectionName, settings => settings.WarmupWork = warmupWork,
    dataSource => dataSource.Name = FunctionsAppSetup.ConnectionName);
// After the ASP.NET Core integration's own middleware, so the gate sees the request's HttpContext. Health answers
// while the pool is cold: that is when it is needed.
builder.UsePrewarmGate(FunctionsAppSetup.ConnectionName, FunctionNames.Health);
builder.Build().Run();
