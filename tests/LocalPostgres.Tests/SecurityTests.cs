using Npgsql;
using Prewarm.Tests.Infrastructure;

namespace Prewarm.LocalPostgres.Tests;

/// <summary>The cluster must refuse what the managed server refuses: no plaintext, no password-less or md5 logins.</summary>
public sealed class SecurityTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private readonly PostgresCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Connections_are_encrypted()
    {
        var ssl = await _cluster.ScalarAsync<bool>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");

        Assert.True(ssl);
    }

    [Fact]
    public async Task Plaintext_connections_are_rejected()
    {
        var plaintext = new NpgsqlConnectionStringBuilder(_cluster.ConnectionString()) { SslMode = SslMode.Disable, Pooling = false };
        await using var connection = new NpgsqlConnection(plaintext.ConnectionString);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());

        // 28000: pg_hba.conf has no line for a non-TLS connection.
        Assert.Equal("28000", error.SqlState);
    }

    [Fact]
    public async Task Wrong_password_fails_scram_authentication()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(_cluster.ConnectionString(password: "not-the-password")) { Pooling = false };
        await using var connection = new NpgsqlConnection(connectionString.ConnectionString);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());

        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
        Assert.Equal("scram-sha-256", await _cluster.ScalarAsync<string>("SHOW password_encryption"));
    }

    [Fact]
    public async Task Created_role_can_connect_to_its_own_database()
    {
        // Quotes in both names check the identifier and literal quoting.
        const string role = "app\"user";
        const string password = "pa'ss";
        const string database = "app\"db";
        await _cluster.CreateRoleAsync(role, password);
        await _cluster.CreateDatabaseAsync(database, owner: role);

        await using var connection = new NpgsqlConnection(_cluster.ConnectionString(database, role, password));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user || '@' || current_database()", connection);

        Assert.Equal($"{role}@{database}", await command.ExecuteScalarAsync());
    }

    [Fact]
    public void Connection_string_requires_tls_and_names_the_cluster()
    {
        var builder = new NpgsqlConnectionStringBuilder(_cluster.ConnectionString("db1"));

        Assert.Equal(SslMode.Require, builder.SslMode);
        Assert.Equal("127.0.0.1", builder.Host);
        Assert.Equal(_cluster.Port, builder.Port);
        Assert.Equal("db1", builder.Database);
        Assert.Equal("postgres", builder.Username);
        Assert.Equal(_cluster.SuperuserPassword, builder.Password);
    }
}
