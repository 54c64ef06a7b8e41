using Prewarm.SampleApp;

// Kestrel binds wherever --urls says; the lab always passes a 127.0.0.1 address.
var builder = WebApplication.CreateBuilder(args);
var strategy = StartupStrategies.FromConfiguration(builder.Configuration);
builder.Services.AddSingleton(new StartupTimings(strategy));
// nodb never reaches the code that names Npgsql's types, so the JIT never loads the assembly.
if (strategy != StartupStrategy.NoDb)
{
    builder.AddSampleDatabase(strategy);
}

var app = builder.Build();
app.UseSampleGate(strategy);
app.MapSampleEndpoints(strategy);
if (strategy == StartupStrategy.Select1)
{
    await app.RunStartupWorkAsync();
}

await app.RunAsync();
