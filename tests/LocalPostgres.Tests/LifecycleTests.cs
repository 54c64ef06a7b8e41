using Npgsql;

namespace Prewarm.LocalPostgres.Tests;

/// <summary>Each test owns its clusters: these stop, restart and dispose them.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Stop_and_start_keep_the_port_and_the_data()
    {
        await using var cluster = await PostgresCluster.CreateAsync();
        var port = cluster.Port;
        await cluster.ExecuteAsync("CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)");

        await cluster.StopAsync();
        Assert.False(cluster.IsRunning);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => cluster.ExecuteAsync("SELECT 1"));

        await cluster.StartAsync();
        Assert.True(cluster.IsRunning);
        Assert.Equal(port, cluster.Port);
        Assert.Equal(42, await cluster.ScalarAsync<int>("SELECT id FROM kept"));

        await cluster.RestartAsync(StopMode.Immediate);
        Assert.Equal(port, cluster.Port);
        Assert.Equal(1, await cluster.ScalarAsync<int>("SELECT 1"));
    }

    [Fact]
    public async Task Two_clusters_run_side_by_side_on_different_ports()
    {
        var creating = new[] { PostgresCluster.CreateAsync(), PostgresCluster.CreateAsync() };
        var clusters = await Task.WhenAll(creating);
        try
        {
            Assert.NotEqual(clusters[0].Port, clusters[1].Port);
            Assert.NotEqual(clusters[0].SuperuserPassword, clusters[1].SuperuserPassword);
            foreach (var cluster in clusters)
            {
                Assert.Equal(cluster.Port, await cluster.ScalarAsync<int>("SELECT current_setting('port')::int"));
            }
        }
        finally
        {
            foreach (var cluster in clusters)
            {
                await cluster.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Options_apply_and_start_can_be_deferred()
    {
        var options = new PostgresClusterOptions { MaxConnections = 20, Start = false };
        options.Settings["application_name"] = "'prewarm-lab'";
        await using var cluster = await PostgresCluster.CreateAsync(options);
        Assert.False(cluster.IsRunning);

        await cluster.StartAsync();

        Assert.Equal("20", await cluster.ScalarAsync<string>("SHOW max_connections"));
        Assert.Equal("off", await cluster.ScalarAsync<string>("SHOW fsync"));
        Assert.Equal("prewarm-lab", await cluster.ScalarAsync<string>("SELECT current_setting('application_name')"));
    }

    [Fact]
    public async Task Dispose_stops_the_server_and_deletes_its_files()
    {
        var cluster = await PostgresCluster.CreateAsync();
        var root = cluster.RootDirectory;
        var connectionString = new NpgsqlConnectionStringBuilder(cluster.ConnectionString()) { Pooling = false, Timeout = 3 }.ConnectionString;

        await cluster.DisposeAsync();
        await cluster.DisposeAsync();

        Assert.False(Directory.Exists(root));
        await using var connection = new NpgsqlConnection(connectionString);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
    }
}
