using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Prewarm.Hosting;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Configuration;

public sealed class RegistrationTests
{
    private const string ConnectionString = "Host=127.0.0.1;Database=d;Username=u;Password=pw-not-used-here";

    [Fact]
    public void AddPrewarmedNpgsql_RegistersOneDataSource_AlsoAsDbDataSource()
    {
        using var host = Build(b => b.AddPrewarmedNpgsql("postgres"));
        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
        Assert.Same(dataSource, host.Services.GetRequiredService<DbDataSource>());
        Assert.Same(dataSource, host.Services.GetRequiredService<NpgsqlDataSource>());
        Assert.Single(host.Services.GetServices<IHostedService>().OfType<WarmupHostedService>());
    }

    [Fact]
    public void AddKeyedPrewarmedNpgsql_TwoDatabases_GetTwoDataSourcesAndTwoWarmers()
    {
        using var host = Build(
            b =>
            {
                b.AddKeyedPrewarmedNpgsql("a");
                b.AddKeyedPrewarmedNpgsql("b");
            },
            new() { ["ConnectionStrings:a"] = ConnectionString, ["ConnectionStrings:b"] = ConnectionString + ";Application Name=b" });
        Assert.NotSame(host.Services.GetRequiredKeyedService<NpgsqlDataSource>("a"), host.Services.GetRequiredKeyedService<NpgsqlDataSource>("b"));
        Assert.Equal("b", host.Services.GetRequiredKeyedService<WarmupCoordinator>("b").Name);
        Assert.Equal(2, host.Services.GetServices<IHostedService>().OfType<WarmupHostedService>().Count());
    }

    [Fact]
    public void AddPrewarmedNpgsql_CalledTwice_RegistersOnce()
    {
        using var host = Build(b =>
        {
            b.AddPrewarmedNpgsql("postgres", s => s.WarmConnections = 2);
            b.AddPrewarmedNpgsql("postgres", s => s.WarmConnections = 3);
        });
        Assert.Single(host.Services.GetServices<IHostedService>().OfType<WarmupHostedService>());
        // The first registration's settings stand: Minimum Pool Size is raised to its WarmConnections.
        Assert.Equal(2, new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString).MinPoolSize);
    }

    [Fact]
    public void AddPrewarmedNpgsql_AppliesAzureDefaults_OnlyWhereTheStringIsSilent()
    {
        using var host = Build(b => b.AddPrewarmedNpgsql("postgres", s => s.WarmConnections = 6));
        var applied = new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);
        Assert.Equal(GssEncryptionMode.Disable, applied.GssEncryptionMode);
        Assert.Equal(5, applied.Timeout);
        Assert.Equal(30, applied.KeepAlive);
        Assert.Equal(6, applied.MinPoolSize);

        using var explicitHost = Build(
            b => b.AddPrewarmedNpgsql("postgres", s => s.WarmConnections = 2),
            new() { ["ConnectionStrings:postgres"] = ConnectionString + ";GSS Encryption Mode=Prefer;Timeout=9;Keepalive=0;Minimum Pool Size=7" });
        var kept = new NpgsqlConnectionStringBuilder(explicitHost.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);
        Assert.Equal(GssEncryptionMode.Prefer, kept.GssEncryptionMode);
        Assert.Equal(9, kept.Timeout);
        Assert.Equal(0, kept.KeepAlive);
        Assert.Equal(7, kept.MinPoolSize);
    }

    [Fact]
    public void PgBouncer_TurnsResetOnCloseOff_AndRejectsAutoPrepare()
    {
        using var host = Build(b => b.AddPrewarmedNpgsql("postgres", s => s.PgBouncer = true));
        Assert.True(new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString).NoResetOnClose);

        // The data source is built inside AddPrewarmedNpgsql (the warm-up starts there), so that is where it throws.
        var ex = Assert.Throws<InvalidOperationException>(() => Build(
            b => b.AddPrewarmedNpgsql("postgres", s => s.PgBouncer = true),
            new() { ["ConnectionStrings:postgres"] = ConnectionString + ";Max Auto Prepare=20" }));
        Assert.Contains("Prewarm:postgres:PgBouncer", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Max Auto Prepare", ex.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Action<HostApplicationBuilder> register, Dictionary<string, string?>? config = null)
    {
        var builder = TestApp.CreateBuilder(config ?? new() { ["ConnectionStrings:postgres"] = ConnectionString }, null);
        register(builder);
        return builder.Build();
    }
}
