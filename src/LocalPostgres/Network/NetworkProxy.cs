using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Prewarm.LocalPostgres.Network;

/// <summary>
/// The network between a client and a server on 127.0.0.1: a TCP proxy that adds round-trip time and breaks on demand
/// (<see cref="Mode"/>). The kernel here has no netem and no iptables rights, so latency and faults are made one level
/// up, on real sockets. Each chunk is due at arrival + half the added RTT in each direction and chunks leave in arrival
/// order, so pipelined traffic is delayed once, not stacked.
/// </summary>
/// <remarks>
/// It lives beside the clusters, not in a project of its own, because both users (the lab's compare and probe, the fault
/// tests) put it in front of one of these servers and already reference this project.
/// </remarks>
public sealed class NetworkProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly TimeSpan _oneWay;
    private readonly IReadOnlyCollection<int>? _senderCpus;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly ConcurrentDictionary<Task, byte> _relays = new();
    private readonly Task _acceptLoop;
    private volatile FaultMode _mode = FaultMode.Pass;

    private NetworkProxy(string upstreamHost, int upstreamPort, TimeSpan addedRtt, IReadOnlyCollection<int>? senderCpus)
    {
        _senderCpus = senderCpus;
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

    public int Port => EndPoint.Port;

    public TimeSpan AddedRtt { get; }

    /// <summary>Switching to <see cref="FaultMode.Reset"/> resets every open flow at once, on both sides of the proxy.</summary>
    public FaultMode Mode
    {
        get => _mode;
        set
        {
            _mode = value;
            if (value == FaultMode.Reset)
            {
                foreach (var socket in _open.Keys)
                {
                    Reset(socket);
                }
            }
        }
    }

    /// <summary>Listens on a free 127.0.0.1 port and forwards to the upstream, <paramref name="addedRtt"/> later (none by default).</summary>
    /// <remarks><paramref name="senderCpus"/>: Cores for the threads that hold and send the delayed chunks (the lab keeps them off an app's pinned core); null: wherever this process runs.</remarks>
    public static NetworkProxy Start(string upstreamHost, int upstreamPort, TimeSpan addedRtt = default, IReadOnlyCollection<int>? senderCpus = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(addedRtt, TimeSpan.Zero);
        return new NetworkProxy(upstreamHost, upstreamPort, addedRtt, senderCpus);
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

            client.NoDelay = true;
            _open.TryAdd(client, 0);
            switch (_mode)
            {
                case FaultMode.Reset:
                    Reset(client);
                    break;
                case FaultMode.BlackHole:
                    // Held open, never read, never answered: the client's own timeouts are all that can end it.
                    break;
                default:
                    var relay = RelayAsync(client);
                    _relays.TryAdd(relay, 0);
                    _ = relay.ContinueWith(t => _relays.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    break;
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        // On a real network the client could send nothing before the SYN-ACK came back: its first bytes arrive
        // one RTT plus one way after the connect began. Here connect returns at once, so the first chunk waits that long.
        var firstDue = Stopwatch.GetTimestamp() + ToTicks(AddedRtt + _oneWay);
        var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
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
            // Behind a black hole not even a close gets through; disposal ends those flows.
            if (_mode != FaultMode.BlackHole)
            {
                Close(client);
                Close(upstream);
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, long notBefore)
    {
        using var chunks = new BlockingCollection<(byte[] Data, long Due)>();
        // With a delay, a dedicated thread per direction sleeps precisely (see PreciseDelay) without holding a pool
        // thread; without one, the chunk goes straight out and no thread is spent.
        var sender = AddedRtt > TimeSpan.Zero
            ? Task.Factory.StartNew(() => SendLoop(chunks, from, to), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : null;
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

                // Behind a black hole bytes vanish, so both ends wait for answers that never come.
                if (_mode == FaultMode.BlackHole)
                {
                    continue;
                }

                if (sender is null)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                }
                else
                {
                    var due = Math.Max(Stopwatch.GetTimestamp() + ToTicks(_oneWay), notBefore);
                    chunks.Add((buffer.AsSpan(0, read).ToArray(), due));
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side went away; the sender still flushes what it holds.
        }

        chunks.CompleteAdding();
        if (sender is null)
        {
            EndFlow(from, to);
        }
        else
        {
            await sender;
        }
    }

    private void SendLoop(BlockingCollection<(byte[] Data, long Due)> chunks, Socket from, Socket to)
    {
        if (_senderCpus is not null)
        {
            // A LongRunning task has a thread of its own: pinning it moves no pool thread.
            Processes.CpuAffinity.PinCurrentThread(_senderCpus);
        }

        try
        {
            foreach (var (data, due) in chunks.GetConsumingEnumerable(_stop.Token))
            {
                PreciseDelay.SleepUntil(due);
                to.Send(data);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Cannot deliver: end both directions so neither side waits on a half-dead relay.
            from.Dispose();
            to.Dispose();
            return;
        }

        EndFlow(from, to);
    }

    // The source closed: pass the FIN on, as the network would; a black hole passes nothing.
    private void EndFlow(Socket from, Socket to)
    {
        if (_mode == FaultMode.BlackHole)
        {
            return;
        }

        try
        {
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            from.Dispose();
            to.Dispose();
        }
    }

    private void Reset(Socket socket)
    {
        try
        {
            // Linger 0 makes close send RST instead of FIN.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        Close(socket);
    }

    private void Close(Socket socket)
    {
        _open.TryRemove(socket, out _);
        socket.Dispose();
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
