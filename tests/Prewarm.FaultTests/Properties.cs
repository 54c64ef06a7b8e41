// Real servers and processes on 2 shared cores: one test at a time keeps the faults the only thing going on.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
