namespace Prewarm.KeepAlive;

// The backends this library keeps warm (by server pid), when it first saw each, and when each is due to retire.
// Npgsql's Connection Lifetime has no jitter: connections opened together expire together, and Npgsql closes them
// on the request path (it checks the lifetime when it hands out an idle connection), so the pool goes cold at once.
// The keep-alive pass retires each connection earlier instead, somewhere between 70 % and 90 % of the lifetime, and
// replaces it in the same pass. The 10 % left is the margin for the pass's own period (checked at startup).
internal sealed class PoolLedger(TimeSpan lifetime, TimeProvider time)
{
    internal const double EarliestRetirement = 0.70;
    internal const double LatestRetirement = 0.90;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, Entry> _entries = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public bool Contains(int pid)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(pid);
        }
    }

    // Connections that arrive together get retirement ages spread evenly over the window, in random order, so no
    // two of them retire in the same pass by chance; each still lands at a random point of its own slice.
    public void Add(IReadOnlyList<int> pids)
    {
        var now = time.GetTimestamp();
        var slots = Enumerable.Range(0, pids.Count).ToArray();
        Random.Shared.Shuffle(slots);
        lock (_lock)
        {
            for (var i = 0; i < pids.Count; i++)
            {
                var fraction = EarliestRetirement + (LatestRetirement - EarliestRetirement) * (slots[i] + Random.Shared.NextDouble()) / pids.Count;
                _entries[pids[i]] = new Entry(now, lifetime > TimeSpan.Zero ? lifetime * fraction : TimeSpan.MaxValue);
            }
        }
    }

    public bool IsDue(int pid)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(pid, out var entry) && time.GetElapsedTime(entry.FirstSeen) >= entry.RetireAfter;
        }
    }

    // A connection Npgsql would not let the pass close is left to Npgsql's own lifetime check.
    public void NeverRetire(int pid)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(pid, out var entry))
            {
                _entries[pid] = entry with { RetireAfter = TimeSpan.MaxValue };
            }
        }
    }

    // After a pass: what it holds is what is warm; anything else is gone (closed, retired, pruned).
    public void RetainOnly(IReadOnlyCollection<int> pids)
    {
        lock (_lock)
        {
            foreach (var pid in _entries.Keys.Where(p => !pids.Contains(p)).ToArray())
            {
                _entries.Remove(pid);
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
        }
    }

    private readonly record struct Entry(long FirstSeen, TimeSpan RetireAfter);
}
