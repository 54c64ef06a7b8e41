namespace Prewarm.Functions.Worker;

// The names the one gate waits for and the functions it lets through at once. Filled while Program.cs runs, read only
// after the host is built.
internal sealed class GateRegistration
{
    // Warmup and KeepAlive make the pool warm, so waiting for warm would deadlock them.
    private readonly HashSet<string> _ungated = new(StringComparer.Ordinal) { PrewarmFunctionNames.Warmup, PrewarmFunctionNames.KeepAlive };
    private readonly List<string> _names = [];

    public IReadOnlyList<string> Names => _names;

    public void Add(string connectionName, IEnumerable<string> ungatedFunctions)
    {
        if (!_names.Contains(connectionName, StringComparer.Ordinal))
        {
            _names.Add(connectionName);
        }

        foreach (var function in ungatedFunctions)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(function, nameof(ungatedFunctions));
            _ungated.Add(function);
        }
    }

    public bool IsUngated(string functionName) => _ungated.Contains(functionName);
}
