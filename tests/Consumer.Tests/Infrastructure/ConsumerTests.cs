using Prewarm.Tests.Infrastructure;

namespace Prewarm.Consumer.Tests.Infrastructure;

/// <summary>
/// The consumer tests' collection: the PostgreSQL fixture (one server; the tests stop and start it and read
/// pg_stat_activity, so they run one at a time) and the run's cleanup, disposed when the collection ends.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConsumerTests : ICollectionFixture<PostgresFixture>, ICollectionFixture<ConsumerCleanup>
{
    public const string Name = "Consumer";
}

/// <summary>
/// At the end of the run: kills any app process a test left running, then deletes the temporary folder of the packed
/// feed, the package cache and the apps (<c>prewarm-consumer-*</c>), so nothing of the run is left behind.
/// </summary>
public sealed class ConsumerCleanup : IDisposable
{
    public void Dispose()
    {
        ChildProcesses.KillAll();
        PackageFeed.DeleteRoot();
    }
}
