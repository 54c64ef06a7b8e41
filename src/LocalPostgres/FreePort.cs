using System.Net;
using System.Net.Sockets;

namespace Prewarm.LocalPostgres;

/// <summary>The one way the tests and the lab pick a loopback port for a server they start (clusters, pgbouncer, apps) or need closed.</summary>
public static class FreePort
{
    /// <summary>How many times a server's start is tried, each on a new port, when the port picked was taken in between.</summary>
    internal const int StartAttempts = 3;

    /// <summary>A port the kernel just had free on loopback; another process may still take it before the server binds, which start-up retries cover.</summary>
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
