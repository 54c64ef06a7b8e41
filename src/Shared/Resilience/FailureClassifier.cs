using System.Net.Sockets;
using Npgsql;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Prewarm.Authentication;

namespace Prewarm.Resilience;

// Decides which warm-up failures are worth retrying. Anything the server or the network may heal on its own is
// transient; anything that needs a person (a password, a database name, a query) is not, and is reported once.
internal static class FailureClassifier
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => IsTransientSqlState(pg.SqlState),
        EntraTokenException token => token.IsTransient,
        NpgsqlException npgsql => npgsql.IsTransient,
        SocketException or TimeoutException or IOException => true,
        TimeoutRejectedException or BrokenCircuitException => true,
        _ => false,
    };

    // https://www.postgresql.org/docs/current/errcodes-appendix.html
    internal static bool IsTransientSqlState(string sqlState) => sqlState switch
    {
        "57P01" or "57P02" or "57P03" => true, // admin_shutdown, crash_shutdown, cannot_connect_now (starting up)
        "53300" => true, // too_many_connections (also a role's or database's CONNECTION LIMIT): others hold the slots for now
        "53400" => true, // configuration_limit_exceeded
        "40001" or "40P01" => true, // serialization_failure, deadlock_detected, in a warm-up query
        _ => sqlState.StartsWith("08", StringComparison.Ordinal), // connection_exception class
    };

    // The server (or the path to it) went away: every pooled connection is suspect.
    public static bool IsServerGone(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState is "57P01" or "57P02" or "57P03" || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException { InnerException: IOException or SocketException or TimeoutException } => true,
        NpgsqlException npgsql => npgsql.IsTransient,
        IOException or SocketException => true,
        _ => false,
    };

    // The server refused a connection for want of room (too_many_connections, also for a role's or a database's
    // CONNECTION LIMIT). Npgsql clears the whole pool on it, so the next opens ask the server for room first.
    public static bool IsNoRoom(Exception exception) => SqlStateOf(exception) == "53300";

    public static string? SqlStateOf(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState,
        { InnerException: { } inner } => SqlStateOf(inner),
        _ => null,
    };
}
