using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Prewarm.Functions;
using Prewarm.Functions.Gate;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// After the ASP.NET Core integration's own middleware, so the gate sees the request's HttpContext.
builder.UseMiddleware<WarmupGateMiddleware>();
builder.AddPrewarmFunctionsApp();
builder.Build().Run();
