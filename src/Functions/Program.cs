using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Prewarm.Functions;
using Prewarm.Functions.Gate;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// After the ASP.NET Core integration's own middleware, so the gate sees the request's HttpContext.
builder.UseMiddleware<WarmupGateMiddleware>();
// The app's own settings first: a bad one stops the worker before anything is opened.
builder.AddFunctionsAppServices();
// The warm-up: AddPrewarmedNpgsql("postgres") with the sample's read as warm-up work (FunctionsAppSetup). The first
// connection starts opening right here, in the background, while the worker builds and shakes hands with the host,
// which never waits for it.
builder.AddPrewarmedPostgres();
builder.Build().Run();
