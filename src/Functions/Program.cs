using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Prewarm.Functions;
using Prewarm.Functions.Gate;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// After the ASP.NET Core integration's own middleware, so the gate sees the request's HttpContext.
builder.UseMiddleware<WarmupGateMiddleware>();
// The warm-up: AddPrewarmedNpgsql("postgres") with the sample's read as warm-up work (FunctionsAppSetup). It starts
// opening connections when the host starts, in the background, so the worker's handshake with the host never waits.
builder.AddPrewarmedPostgres();
builder.AddFunctionsAppServices();
builder.Build().Run();
