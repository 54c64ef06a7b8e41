using System.Net.Sockets;
using System.Security.Authentication;
using Npgsql;

namespace Prewarm.Lab.Cli;

/// <summary>Turns a connection failure into the one line a user needs: which kind of failure, in words, with the server's code.</summary>
internal static class FailureText
{
    public static string Describe(Exception e) => e switch
    {
        LabException lab => lab.Message,
        PostgresException pg when pg.SqlState == PostgresErrorCodes.InvalidPassword =>
            $"authentication failed (28P01): {pg.MessageText}",
        PostgresException pg => $"the server refused ({pg.SqlState}): {pg.MessageText}",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } s =>
            $"host name not found: {s.Message}",
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused: nothing listens on that host and port",
        SocketException { SocketErrorCode: SocketError.TimedOut } => "TCP connect timed out",
        SocketException s => $"network error ({s.SocketErrorCode}): {s.Message}",
        AuthenticationException tls => $"TLS handshake failed: {Innermost(tls).Message}",
        TimeoutException t => $"timed out: {t.Message}",
        NpgsqlException { InnerException: { } inner } => Describe(inner),
        NpgsqlException n => n.Message,
        IOException { InnerException: { } inner } => Describe(inner),
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
