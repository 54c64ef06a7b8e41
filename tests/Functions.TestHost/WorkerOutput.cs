namespace Prewarm.Functions.TestHost;

// The worker's last lines, from its console and its RpcLog messages, for the one-line failure a test shows. Bounded:
// a chatty worker must not grow the test run's memory.
internal sealed class WorkerOutput
{
    private const int MaxLines = 200;
    private const int MaxTailChars = 800;

    private readonly Queue<string> _lines = new();
    private readonly List<string> _rpcLogs = [];

    public void Add(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }

    public void AddRpcLog(string line)
    {
        lock (_lines)
        {
            _rpcLogs.Add(line);
        }

        Add(line);
    }

    public IReadOnlyList<string> RpcLogs
    {
        get
        {
            lock (_lines)
            {
                return _rpcLogs.ToList();
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToList();
            }
        }
    }

    // The last lines on one line, stack frames left out: the exception's message is what names the cause.
    public string Tail()
    {
        var lines = Lines.Where(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).TakeLast(6).Select(l => l.Trim());
        var tail = string.Join(" | ", lines);
        if (tail.Length == 0)
        {
            return "(no output)";
        }

        return tail.Length <= MaxTailChars ? tail : "..." + tail[^MaxTailChars..];
    }
}
