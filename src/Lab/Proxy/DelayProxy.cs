using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Prewarm.Lab.Proxy;

/// <summary>
/// A TCP proxy on 127.0.0.1 that holds every chunk for half the added round-trip time in each direction.
/// The kernel here has no netem, so this is how a remote database is simulated. Each chunk is due at
/// arrival + delay and chunks leave in arrival order, so pipelined traffic is delayed once, not stacked.
/// </summary>
internal sealed class DelayProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly TimeSpan _oneWay;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly ConcurrentDictionary<Task, byte> _relays = new();
    private readonly Task _acceptLoop;

    private DelayProxy(string upstreamHost, int upstreamPort, TimeSpan addedRtt)
    {
        _upstreamHost = upstreamHost;
        _upstreamPort = upstreamPort;
        AddedRtt = addedRtt;
        _oneWay = addedRtt / 2;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    public TimeSpan AddedRtt { get; }

    public static DelayProxy Start(string upstreamHost, int upstreamPort, TimeSpan addedRtt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(addedRtt, TimeSpan.Zero);
        return new DelayProxy(upstreamHost, upstreamPort, addedRtt);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        foreach (var socket in _open.Keys)
        {
            socket.Dispose();
        }

        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
            // Stopping is the only way out of the loop.
        }

        // Their sockets are closed, so the relays end at once; waiting keeps their threads off a disposed token source.
        await Task.WhenAll(_relays.Keys).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var relay = RelayAsync(client);
            _relays.TryAdd(relay, 0);
            _ = relay.ContinueWith(t => _relays.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        // On a real network the client could send nothing before the SYN-ACK came back: its first bytes arrive
        // one RTT plus one way after the connect began. Here connect returns at once, so the first chunk waits that long.
        var firstDue = Stopwatch.GetTimestamp() + ToTicks(AddedRtt + _oneWay);
        var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        _open.TryAdd(client, 0);
        _open.TryAdd(upstream, 0);
        try
        {
            await upstream.ConnectAsync(_upstreamHost, _upstreamPort, _stop.Token);
            await Task.WhenAll(PumpAsync(client, upstream, firstDue), PumpAsync(upstream, client, 0));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A refused upstream or a stop: the client sees its connection close, as it would on a real network.
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(upstream, out _);
            client.Dispose();
            upstream.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, long notBefore)
    {
        using var chunks = new BlockingCollection<(byte[] Data, long Due)>();
        // A dedicated thread per direction: it sleeps precisely (see PreciseDelay) without holding a pool thread.
        var sender = Task.Factory.StartNew(() => SendLoop(chunks, from, to), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                var due = Math.Max(Stopwatch.GetTimestamp() + ToTicks(_oneWay), notBefore);
                chunks.Add((buffer.AsSpan(0, read).ToArray(), due));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The other side went away; the sender still flushes what it holds.
        }

        chunks.CompleteAdding();
        await sender;
    }

    private void SendLoop(BlockingCollection<(byte[] Data, long Due)> chunks, Socket from, Socket to)
    {
        try
        {
            foreach (var (data, due) in chunks.GetConsumingEnumerable(_stop.Token))
            {
                PreciseDelay.SleepUntil(due);
                to.Send(data);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Cannot deliver: end both directions so neither side waits on a half-dead relay.
            from.Dispose();
            to.Dispose();
        }
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
