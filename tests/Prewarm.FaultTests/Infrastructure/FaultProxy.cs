using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Prewarm.FaultTests.Infrastructure;

public enum FaultMode
{
    /// <summary>Bytes flow both ways.</summary>
    Pass,

    /// <summary>New connections are accepted and never answered; bytes of existing flows vanish. Like a silent firewall drop or a dead load balancer.</summary>
    BlackHole,

    /// <summary>Existing flows and every new connection are reset (RST), as a load balancer does after its idle cut.</summary>
    Reset,
}

// A TCP forwarder on 127.0.0.1 whose network can be broken on demand. The kernel here has no netem or iptables
// rights, so the faults are made one level up, on real sockets.
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile FaultMode _mode = FaultMode.Pass;

    public FaultProxy(string upstreamHost, int upstreamPort)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(upstreamHost), upstreamPort);
        _listener.Start(256);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public FaultMode Mode
    {
        get => _mode;
        set
        {
            _mode = value;
            if (value == FaultMode.Reset)
            {
                foreach (var socket in _sockets.Keys)
                {
                    Reset(socket);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets.Keys)
        {
            socket.Dispose();
        }

        await _accepting.ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _sockets.TryAdd(client, 0);
            switch (_mode)
            {
                case FaultMode.Reset:
                    Reset(client);
                    break;
                case FaultMode.BlackHole:
                    // Held open, never read, never answered: the client's own timeouts are all that can end it.
                    break;
                default:
                    _ = ForwardAsync(client);
                    break;
            }
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.TryAdd(server, 0);
        try
        {
            await server.ConnectAsync(_upstream, _stop.Token);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception)
        {
            // A refused upstream or a reset flow: the client sees its socket close, as it would without the proxy.
        }
        finally
        {
            if (_mode != FaultMode.BlackHole)
            {
                Close(client);
                Close(server);
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return;
            }

            // In black-hole mode bytes are swallowed, so both ends wait for answers that never come.
            if (_mode == FaultMode.BlackHole)
            {
                continue;
            }

            await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    private void Reset(Socket socket)
    {
        try
        {
            // Linger 0 makes close send RST instead of FIN.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception)
        {
            // Already closed.
        }

        Close(socket);
    }

    private void Close(Socket socket)
    {
        _sockets.TryRemove(socket, out _);
        socket.Dispose();
    }
}
