using Prewarm.SampleApp;

// Kestrel binds wherever --urls says; the lab always passes a 127.0.0.1 address.
var builder = WebApplication.CreateBuilder(args);
var strategy = StartupStrategies.FromConfiguration(builder.Configuration);
builder.AddSampleDatabase(strategy);

var app = builder.Build();
app.UseSampleGate(strategy);
app.MapSampleEndpoints();
await app.RunStartupWorkAsync(strategy);
await app.RunAsync();
