using System.Buffers.Binary;
using System.Net.Sockets;

namespace Prewarm.Lab.Probe;

/// <summary>
/// The two pre-startup requests of the PostgreSQL protocol (length 8, then a magic code), sent on a raw socket:
/// each is answered with one byte and costs exactly one round trip, which is what makes them good RTT probes.
/// See https://www.postgresql.org/docs/current/protocol-message-formats.html (SSLRequest, GSSENCRequest).
/// </summary>
internal static class WireRequests
{
    public const int SslRequestCode = 80877103;
    public const int GssEncRequestCode = 80877104;

    /// <summary>Sends the request and returns the server's one-byte answer ('S'/'G' yes, 'N' no).</summary>
    public static async Task<char> AskAsync(Socket socket, int code, CancellationToken ct)
    {
        var request = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(request, 8);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(4), code);
        await socket.SendAsync(request, SocketFlags.None, ct);
        var answer = new byte[1];
        var read = await socket.ReceiveAsync(answer, SocketFlags.None, ct);
        if (read != 1)
        {
            throw new IOException("the server closed the connection instead of answering; is this a PostgreSQL port?");
        }

        return (char)answer[0];
    }
}
