namespace Prewarm.Functions.Warmup;

// The last keep-alive pass, for Health: the library reports each pass to its caller and keeps none.
// Public only because function constructors take it, and the worker activates functions through public constructors.
public sealed class KeepAliveHistory
{
    private volatile Entry? _last;

    public Entry? Last => _last;

    public void Record(KeepAliveReport report, DateTimeOffset completedAt) => _last = new Entry(report, completedAt);

    public sealed record Entry(KeepAliveReport Report, DateTimeOffset CompletedAt);
}
