using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Prewarm.Tests.AspNetCore;

// Prewarm.AspNetCore on a real Kestrel in this process, against a server that refuses connections (127.0.0.1:1): the
// pool never turns warm, so what passes and what is turned away is the gate's decision alone. Bad registrations
// throw at the call in Program.cs, before the app serves anything.
public sealed class AspNetCoreGateTests
{
    [Fact]
    public void UsePrewarmGate_WithoutAddPrewarmedNpgsql_ThrowsNamingWhatToAdd()
    {
        var app = Build(addPrewarmed: false);

        var gate = Assert.Throws<InvalidOperationException>(() => app.UsePrewarmGate("postgres"));
        var readiness = Assert.Throws<InvalidOperationException>(() => app.MapPrewarmReadiness("/ready", "postgres"));

        Assert.Contains("AddPrewarmedNpgsql(\"postgres\")", gate.Message, StringComparison.Ordinal);
        Assert.Contains("AddPrewarmedNpgsql(\"postgres\")", readiness.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsePrewarmGate_ForAnUnregisteredName_ThrowsNamingTheRegisteredOnes()
    {
        var app = Build(addPrewarmed: true);

        var error = Assert.Throws<InvalidOperationException>(() => app.UsePrewarmGate("orders"));

        Assert.Contains("AddPrewarmedNpgsql(\"orders\")", error.Message, StringComparison.Ordinal);
        Assert.Contains("'postgres'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsePrewarmGate_Twice_AddsOneMiddleware()
    {
        var counting = new CountingApplicationBuilder(Build(addPrewarmed: true));

        counting.UsePrewarmGate("postgres").UsePrewarmGate("postgres");

        Assert.Equal(1, counting.Middlewares);
    }

    [Fact]
    public async Task Gate_NotWarm_Answers503_ButLetsReadinessAndOptedOutEndpointsThrough()
    {
        await using var app = Build(addPrewarmed: true);
        app.UsePrewarmGate("postgres");
        app.MapPrewarmReadiness("/ready", "postgres");
        app.MapGet("/live", () => "live").DisablePrewarmGate();
        app.MapGet("/data", () => "data");
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()) };

        using var data = await http.GetAsync(new Uri("/data", UriKind.Relative));
        using var ready = await http.GetAsync(new Uri("/ready", UriKind.Relative));
        using var live = await http.GetAsync(new Uri("/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, data.StatusCode);
        Assert.NotNull(data.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.NotNull(ready.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("live", await live.Content.ReadAsStringAsync());
    }

    private static WebApplication Build(bool addPrewarmed)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Nothing listens on port 1: every open is refused at once, so the pool stays cold without a database.
            ["ConnectionStrings:postgres"] = "Host=127.0.0.1;Port=1;Database=prewarm;Username=prewarm;Password=not-used",
            // A bound, not a timing: the gated request ends with 503 whether the gate gave up or saw the failure first.
            ["Prewarm:postgres:GateTimeout"] = "00:00:01",
        });
        if (addPrewarmed)
        {
            builder.AddPrewarmedNpgsql("postgres");
        }

        return builder.Build();
    }

    // Counts what is added to the pipeline; the rest is the app's own.
    private sealed class CountingApplicationBuilder(IApplicationBuilder inner) : IApplicationBuilder
    {
        public int Middlewares { get; private set; }

        public IServiceProvider ApplicationServices { get => inner.ApplicationServices; set => inner.ApplicationServices = value; }

        public IFeatureCollection ServerFeatures => inner.ServerFeatures;

        public IDictionary<string, object?> Properties => inner.Properties;

        public IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware)
        {
            Middlewares++;
            inner.Use(middleware);
            return this;
        }

        public IApplicationBuilder New() => inner.New();

        public RequestDelegate Build() => inner.Build();
    }
}
