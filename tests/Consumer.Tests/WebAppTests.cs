using System.Globalization;
using System.Net;
using Prewarm.Consumer.Tests.Infrastructure;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Consumer.Tests;

// A new ASP.NET Core app (Apps/WebApp: the README's Program.cs, which maps one endpoint of its own) that installs the
// packed packages from the same folder feed, built outside the solution and run as a real process on 127.0.0.1 against
// real PostgreSQL. Evidence comes from the server (pg_stat_activity) and the app's answers, never from timing.
[Collection(ConsumerTests.Name)]
public sealed class WebAppTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Request_DuringWarmup_IsGated_ThenServedOnAWarmBackend()
    {
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        var applicationName = "consumer-web-" + Guid.NewGuid().ToString("N")[..12];
        await using var app = await StartAsync(applicationName);
        // The first connection is open and held in its warm-up query by the lock: the pool cannot be warm yet.
        await postgres.Cluster.WaitForBackendCountAsync(applicationName, 1);

        var backend = app.Http.GetAsync(new Uri("/backend", UriKind.Relative));
        Assert.False(backend.IsCompleted);

        await tableLock.ReleaseAsync();
        using var response = await backend;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var backends = await postgres.Cluster.WaitForBackendCountAsync(applicationName, HeldWarmupSettings.WarmConnections);
        Assert.Contains(int.Parse(await response.Content.ReadAsStringAsync(), CultureInfo.InvariantCulture), backends);
    }

    [Fact]
    public async Task Readiness_WhileWarming_Is503WithRetryAfter_ThenWarm_Is200()
    {
        await using var tableLock = await TableLock.AcquireAsync(postgres);
        var applicationName = "consumer-ready-" + Guid.NewGuid().ToString("N")[..12];
        await using var app = await StartAsync(applicationName);
        await postgres.Cluster.WaitForBackendCountAsync(applicationName, 1);

        using (var warming = await app.Http.GetAsync(new Uri("/ready", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, warming.StatusCode);
            Assert.True(warming.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            Assert.Contains("Warming", await warming.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await tableLock.ReleaseAsync();

        Assert.Equal(HttpStatusCode.OK, await WaitForReadyAsync(app));
    }

    [Fact]
    public async Task Request_DatabaseDown_Answers503WithRetryAfter()
    {
        await postgres.Cluster.StopAsync();
        try
        {
            await using var app = await StartAsync("consumer-web-down");

            using var response = await app.Http.GetAsync(new Uri("/backend", UriKind.Relative));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(PostgresFixture.AppPassword, body, StringComparison.Ordinal);
            Assert.DoesNotContain(PostgresFixture.AppUser, body, StringComparison.Ordinal);
        }
        finally
        {
            await postgres.Cluster.StartAsync();
        }
    }

    private async Task<WebAppProcess> StartAsync(string applicationName) =>
        await WebAppProcess.StartAsync(await ConsumerApp.BuildAsync("WebApp"), "WebApp", HeldWarmupSettings.For(postgres, applicationName));

    // The readiness endpoint answers at once with the state; polled, bounded, as ServerView polls pg_stat_activity.
    private static async Task<HttpStatusCode> WaitForReadyAsync(WebAppProcess app)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await app.Http.GetAsync(new Uri("/ready", UriKind.Relative), CancellationToken.None);
            if (response.StatusCode == HttpStatusCode.OK || deadline.IsCancellationRequested)
            {
                return response.StatusCode;
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
