using Prewarm.Resilience;

namespace Prewarm.Warmup;

// What the pool learnt about the server's room, with one transition each way: a refused open (53300) marks the server
// full, a pool holding N again clears it. While full, connections beyond the first are opened only on a turn (RoomTurn)
// however much room the server reports. The warm-up and the keep-alive pass both report to it. PgBouncer queues clients
// instead of refusing them, and its pids say nothing about the server, so room is never looked at there.
internal sealed class ServerRoom(int warmConnections)
{
    private volatile bool _full;

    /// <summary>Whether the server refused a connection for want of room since the pool last held N.</summary>
    public bool Full => _full;

    /// <summary>A failure: when it is a refusal for want of room, the server is full.</summary>
    public void Failed(Exception exception)
    {
        if (FailureClassifier.IsNoRoom(exception))
        {
            _full = true;
        }
    }

    /// <summary>The pool holds <paramref name="connections"/>: N of them mean the server had room after all.</summary>
    public void Holds(int connections)
    {
        if (connections >= warmConnections)
        {
            _full = false;
        }
    }
}
