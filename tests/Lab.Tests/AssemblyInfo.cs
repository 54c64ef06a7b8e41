// Two cores: tests that start processes, servers and proxies run one at a time so none starves another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
