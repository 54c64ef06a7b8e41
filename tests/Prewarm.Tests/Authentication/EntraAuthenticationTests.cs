using System.Diagnostics.Metrics;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Authentication;

// Entra ID itself cannot exist here (no network, no tenant): RolePasswordCredential stands in for it, and every token
// it issues is a real password that the real server checks.
[Collection(PostgresTests.Name)]
public sealed class EntraAuthenticationTests(PostgresFixture pg)
{
    private static readonly TimeSpan s_longWait = TimeSpan.FromMinutes(30);

    [Fact]
    public async Task Warmup_FetchesTheTokenBeforeTheFirstOpen_AndReportsItsPhase()
    {
        var (connectionString, appName, credential) = await NewRoleAsync(TimeProvider.System, TimeSpan.FromHours(1));
        await using var app = TestApp.Create(connectionString, s => { s.WarmConnections = 3; s.Credential = credential; });

        using var phases = new MetricCollector<double>(app.Host.Services.GetRequiredService<IMeterFactory>(), "Prewarm", "prewarm.warmup.phase.duration");

        var report = await app.Coordinator.EnsureWarmAsync();

        Assert.Equal(WarmupState.Warm, report.State);
        Assert.Contains(WarmupPhase.Token, report.Phases.Keys);
        Assert.Contains(phases.GetMeasurementSnapshot(), m => m.Tags["prewarm.phase"] as string == "token");

        Assert.Equal(1, credential.Calls);
        Assert.Equal(3, (await pg.Cluster.BackendPidsAsync(appName)).Length);
    }

    [Fact]
    public async Task SlowCredential_IsAbsorbedByWarmup_TheFirstRequestAfterWarmDoesNotAskForAToken()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (connectionString, appName, credential) = await NewRoleAsync(TimeProvider.System, TimeSpan.FromHours(1));
        credential.Gate = gate.Task;
        await using var app = TestApp.Create(connectionString, s => { s.WarmConnections = 2; s.Credential = credential; });
        await app.StartAsync();

        var waiting = app.Coordinator.WaitForWarmAsync(s_longWait);
        Assert.False(waiting.IsCompleted);
        gate.SetResult();
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(60)));
        // The gate passes with the first warm connection; the second is warmed right after it.
        Assert.Equal(2, (await app.Coordinator.EnsureWarmAsync()).ConnectionsWarmed);

        // Three at once: two warmed connections and one new physical open, which also uses the cached token.
        var connections = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => app.DataSource.OpenConnectionAsync().AsTask()));
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        Assert.Equal(1, credential.Calls);
        Assert.Equal(3, (await pg.Cluster.BackendPidsAsync(appName)).Length);
    }

    [Fact]
    public async Task Rotation_NewConnectionsUseTheNewToken_PooledOnesKeepWorking()
    {
        var time = new FakeTimeProvider();
        var (connectionString, appName, credential) = await NewRoleAsync(time, TimeSpan.FromMinutes(60));
        await using var app = TestApp.Create(connectionString, s => { s.WarmConnections = 2; s.Credential = credential; }, time: time);
        await app.Coordinator.EnsureWarmAsync();
        var warmed = await pg.Cluster.BackendPidsAsync(appName);

        // Refresh is due 5-6 minutes before expiry; past that the server only accepts the second token.
        time.Advance(TimeSpan.FromMinutes(56));
        await app.Logs.WaitForAsync("Entra ID token acquired", count: 2);
        Assert.Equal(2, credential.Calls);
        Assert.True(credential.Issued[1].IssuedAt < credential.Issued[0].ExpiresOn);

        var connections = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => app.DataSource.OpenConnectionAsync().AsTask()));
        var pids = new List<int>();
        foreach (var connection in connections)
        {
            await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
            pids.Add((int)(await command.ExecuteScalarAsync())!);
            await connection.DisposeAsync();
        }

        Assert.Equal(2, pids.Intersect(warmed).Count());
        Assert.Single(pids.Except(warmed));
    }

    [Fact]
    public async Task RefreshFailure_NeverEmptiesAWarmPool()
    {
        var time = new FakeTimeProvider();
        var (connectionString, appName, credential) = await NewRoleAsync(time, TimeSpan.FromMinutes(60));
        await using var app = TestApp.Create(connectionString, s => { s.WarmConnections = 2; s.Credential = credential; }, time: time);
        await app.Coordinator.EnsureWarmAsync();
        var warmed = await pg.Cluster.BackendPidsAsync(appName);

        credential.Failure = () => new AuthenticationFailedException("token endpoint returned 500");
        time.Advance(TimeSpan.FromMinutes(56));
        await app.Logs.WaitForAsync("Entra ID token failed");

        Assert.Equal(WarmupState.Warm, app.Coordinator.State);
        Assert.True(await app.Coordinator.WaitForWarmAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(warmed, await pg.Cluster.BackendPidsAsync(appName));
        await using var connection = await app.DataSource.OpenConnectionAsync();
        Assert.Contains(connection.ProcessID, warmed);
    }

    [Fact]
    public async Task UnavailableCredential_DegradedOnce_WithTheFix_NoRetryStorm()
    {
        var time = new TimerTrackingTimeProvider();
        var (connectionString, _, credential) = await NewRoleAsync(time, TimeSpan.FromHours(1));
        credential.Failure = () => new CredentialUnavailableException("DefaultAzureCredential failed to retrieve a token from the included credentials.");
        await using var app = TestApp.Create(connectionString, s => s.Credential = credential, time: time);
        // The warm-up begun in AddPrewarmedNpgsql has ended before the host starts: starting must not try again.
        await app.Logs.WaitForAsync("failed and will not be retried");
        await app.StartAsync();

        Assert.False(await app.Coordinator.WaitForWarmAsync(s_longWait));

        var report = app.Coordinator.LastReport!;
        Assert.Equal(WarmupState.Degraded, report.State);
        Assert.Contains("AZURE_CLIENT_ID", report.LastError, StringComparison.Ordinal);
        Assert.Contains("az login", report.LastError, StringComparison.Ordinal);
        Assert.Equal(1, credential.Calls);
        Assert.Equal(0, time.PendingTimersWithin(PrewarmDefaults.RetryMaxDelay));
    }

    [Fact]
    public async Task HangingCredential_IsBoundedByTokenTimeout_DegradedWithTheFix()
    {
        var time = new TimerTrackingTimeProvider();
        var (connectionString, _, credential) = await NewRoleAsync(time, TimeSpan.FromHours(1));
        credential.Gate = new TaskCompletionSource().Task; // never completes, as a hung IMDS call
        await using var app = TestApp.Create(connectionString, s => { s.Credential = credential; s.TokenTimeout = TimeSpan.FromSeconds(5); }, time: time);
        await app.StartAsync();
        var gate = app.Coordinator.WaitForWarmAsync(s_longWait);

        await time.WaitForTimerWithinAsync(TimeSpan.FromSeconds(5)).WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(await gate.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("No Entra ID token within 5 s", app.Coordinator.LastReport!.LastError, StringComparison.Ordinal);
        Assert.Contains("AZURE_CLIENT_ID", app.Coordinator.LastReport.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoUsername_IsReadFromTheTokensManagedIdentityClaim()
    {
        var (connectionString, appName, credential) = await NewRoleAsync(TimeProvider.System, TimeSpan.FromHours(1));
        var role = new NpgsqlConnectionStringBuilder(connectionString).Username!;
        credential.ClaimsJson = $$"""{"xms_mirid":"/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{{role}}"}""";
        var withoutUser = new NpgsqlConnectionStringBuilder(connectionString) { Username = null }.ConnectionString;
        await using var app = TestApp.Create(withoutUser, s => { s.WarmConnections = 1; s.Credential = credential; });

        var report = await app.Coordinator.EnsureWarmAsync();

        Assert.Equal(WarmupState.Warm, report.State);
        Assert.Equal(role, await pg.Cluster.ScalarAsync<string>($"SELECT usename FROM pg_stat_activity WHERE application_name = '{appName}' LIMIT 1"));
        Assert.Equal(1, credential.Calls);
    }

    [Fact]
    public async Task Tokens_NeverAppearInLogsReportsOrHealth()
    {
        var time = new FakeTimeProvider();
        var (connectionString, _, credential) = await NewRoleAsync(time, TimeSpan.FromMinutes(60));
        await using var app = TestApp.Create(connectionString, s => { s.WarmConnections = 2; s.Credential = credential; }, time: time);
        await app.Coordinator.EnsureWarmAsync();
        time.Advance(TimeSpan.FromMinutes(56));
        await app.Logs.WaitForAsync("Entra ID token acquired", count: 2);
        await app.Coordinator.RunKeepAliveAsync();
        var health = await app.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var texts = app.Logs.Lines().Append(System.Text.Json.JsonSerializer.Serialize(app.Coordinator.LastReport))
            .Concat(health.Entries.Values.Select(e => $"{e.Description} {string.Join(",", e.Data.Select(d => $"{d.Key}={d.Value}"))}"))
            .ToList();
        Assert.Equal(2, credential.Issued.Count);
        foreach (var (token, _, _) in credential.Issued)
        {
            Assert.DoesNotContain(texts, t => t.Contains(token, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void PasswordAndEntraTogether_IsAStartupErrorNamingTheSetting()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            TestApp.Create("Host=127.0.0.1;Username=u;Password=pw-value-here", configuration: new Dictionary<string, string?> { ["Prewarm:postgres:UseEntraAuthentication"] = "true" }));
        Assert.Contains("Prewarm:postgres:UseEntraAuthentication", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-value-here", ex.Message, StringComparison.Ordinal);
    }

    private async Task<(string ConnectionString, string AppName, RolePasswordCredential Credential)> NewRoleAsync(TimeProvider time, TimeSpan lifetime)
    {
        var role = "entra_" + Guid.NewGuid().ToString("N")[..10];
        await pg.Cluster.CreateRoleAsync(role, Guid.NewGuid().ToString("N"));
        var appName = "t-" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = new NpgsqlConnectionStringBuilder(pg.Cluster.ConnectionString())
        {
            Username = role,
            Password = null,
            ApplicationName = appName,
        }.ConnectionString;
        return (connectionString, appName, new RolePasswordCredential(pg.Cluster, role, time, lifetime));
    }
}
