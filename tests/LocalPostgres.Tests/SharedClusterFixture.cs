using Xunit;

namespace Prewarm.LocalPostgres.Tests;

/// <summary>One cluster for the tests that only read or add roles, so the suite pays for initdb once.</summary>
public sealed class SharedClusterFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("Fixture not initialised.");

    public async Task InitializeAsync() => _cluster = await PostgresCluster.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
