using Microsoft.Extensions.Hosting;
using Npgsql;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.Tests.Configuration;

// Bad configuration stops the app while it is being built, with the key to fix and without the secret.
public sealed class SettingsValidationTests
{
    private const string Valid = "Host=127.0.0.1;Database=d;Username=u;Password=hunter2-secret-value";

    public static TheoryData<bool> KeyedAndUnkeyed => new() { false, true };

    [Theory]
    [MemberData(nameof(KeyedAndUnkeyed))]
    public void AddPrewarmedNpgsql_NoConnectionString_NamesTheKey(bool keyed)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Register(new Dictionary<string, string?>(), keyed, name: "orders"));
        Assert.Contains("ConnectionStrings:orders", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KeyedAndUnkeyed))]
    public void AddPrewarmedNpgsql_MalformedConnectionString_NamesTheKeyAndHidesThePassword(bool keyed)
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            Register(Config("Host=127.0.0.1;Password=hunter2-secret-value;Bogus Keyword=1"), keyed));
        Assert.Contains("ConnectionStrings:postgres", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret-value", ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("101")]
    public void AddPrewarmedNpgsql_WarmConnectionsOutOfRange_NamesTheSetting(string value)
    {
        var config = Config(Valid + ";Maximum Pool Size=100");
        config["Prewarm:postgres:WarmConnections"] = value;
        var ex = Assert.Throws<InvalidOperationException>(() => Register(config, keyed: false));
        Assert.Contains("Prewarm:postgres:WarmConnections", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret-value", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddPrewarmedNpgsql_WarmConnectionsAboveMaxPoolSetByTheBuilderDelegate_FailsAtStartup()
    {
        var builder = TestApp.CreateBuilder(Config(Valid), null);
        var ex = Assert.Throws<InvalidOperationException>(
            () => builder.AddPrewarmedNpgsql("postgres", s => s.WarmConnections = 8, b => b.ConnectionStringBuilder.MaxPoolSize = 4));
        Assert.Contains("Prewarm:postgres:WarmConnections", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GateTimeout", "00:00:00")]
    [InlineData("WarmupTimeout", "-00:00:01")]
    [InlineData("StartupTimeout", "00:00:00")]
    [InlineData("RetryMaxDelay", "00:00:00")]
    [InlineData("KeepAliveInterval", "-00:00:01")]
    [InlineData("StartJitter", "-00:00:01")]
    // Internal knobs are not settings: configuration that names one fails, instead of being ignored.
    [InlineData("MaxParallelOpens", "2")]
    [InlineData("RetryBaseDelay", "00:00:01")]
    [InlineData("TokenTimeout", "00:00:01")]
    public void AddPrewarmedNpgsql_BadSetting_NamesTheSetting(string setting, string value)
    {
        var config = Config(Valid);
        config[$"Prewarm:postgres:{setting}"] = value;
        var ex = Assert.Throws<InvalidOperationException>(() => Register(config, keyed: false));
        Assert.Contains($"Prewarm:postgres:{setting}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPrewarmedNpgsql_MisspeltSetting_NamesTheSection()
    {
        var config = Config(Valid);
        config["Prewarm:postgres:WarmConections"] = "4";
        var ex = Assert.Throws<InvalidOperationException>(() => Register(config, keyed: false));
        Assert.Contains("Prewarm:postgres", ex.Message, StringComparison.Ordinal);
        Assert.Contains("WarmConections", ex.Message, StringComparison.Ordinal);
    }

    // The pass retires connections between 70 % and 90 % of Connection Lifetime: a slower pass would let some expire
    // in the pool first, on the request path.
    [Fact]
    public void AddPrewarmedNpgsql_KeepAliveTooSlowForTheConnectionLifetime_NamesBothSettings()
    {
        var config = Config(Valid + ";Connection Lifetime=600");
        config["Prewarm:postgres:KeepAliveInterval"] = "00:01:01";
        var ex = Assert.Throws<InvalidOperationException>(() => Register(config, keyed: false));
        Assert.Contains("Prewarm:postgres:KeepAliveInterval", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Connection Lifetime", ex.Message, StringComparison.Ordinal);

        config["Prewarm:postgres:KeepAliveInterval"] = "00:01:00";
        Register(config, keyed: false);
    }

    [Fact]
    public void AddPrewarmedNpgsql_ZeroConnectTimeout_IsRejected()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Register(Config(Valid + ";Timeout=0"), keyed: false));
        Assert.Contains("ConnectionStrings:postgres", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Timeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPrewarmedNpgsql_SettingsSectionConnectionString_IsUsedWhenConnectionStringsHasNone()
    {
        var builder = TestApp.CreateBuilder(new Dictionary<string, string?> { ["Prewarm:postgres:ConnectionString"] = Valid }, null);
        builder.AddPrewarmedNpgsql("postgres");
        using var host = builder.Build();
        Assert.NotNull(host.Services.GetService(typeof(NpgsqlDataSource)));
    }

    private static Dictionary<string, string?> Config(string connectionString, string name = "postgres") =>
        new() { [$"ConnectionStrings:{name}"] = connectionString };

    private static void Register(Dictionary<string, string?> config, bool keyed, string name = "postgres")
    {
        var builder = TestApp.CreateBuilder(config, null);
        if (keyed)
        {
            builder.AddKeyedPrewarmedNpgsql(name);
        }
        else
        {
            builder.AddPrewarmedNpgsql(name);
        }
    }
}
