using System.Data;
using Npgsql;

namespace Prewarm.KeepAlive;

// Closes one pooled connection for good, leaving the rest of the pool alone. Npgsql has no API for that: Close hands
// the connection back, Clear drops every connection, and a server-side kill (57P01) or a network error makes Npgsql
// clear the pool as well. What it does do is discard just the one connector when the client side of an exchange
// goes wrong: a text-format COPY started through the binary-export API fails with an ArgumentException and Npgsql
// breaks that connector only. The COPY returns no rows, so the server has nothing left to send when the socket closes.
// If a later Npgsql accepts the COPY instead, nothing is broken, TryCloseAsync says so, and Npgsql's own lifetime
// check remains in charge of that connection.
internal static class ConnectionRetirement
{
    private const string TextCopy = "COPY (SELECT 1 WHERE false) TO STDOUT";

    // How long the server may take to let the closed backend go; it is already on its way out.
    private const int ExitWaitMilliseconds = 1000;

    public static async Task<bool> TryCloseAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var exporter = await connection.BeginBinaryExportAsync(TextCopy, cancellationToken).ConfigureAwait(false);
            await exporter.DisposeAsync().ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
        }

        var closed = connection.FullState == ConnectionState.Broken;
        await connection.DisposeAsync().ConfigureAwait(false);
        return closed;
    }

    // The client has closed its end; the backend exits a moment later. Until it has, it still holds one of the
    // server's slots, and a replacement opened at once could meet 53300 on a full server. pg_terminate_backend with a
    // timeout (PostgreSQL 14+) waits for the exit on the server, without polling; the backend belongs to this role.
    public static async Task WaitForExitAsync(NpgsqlConnection other, int pid, CancellationToken cancellationToken)
    {
        if (other.PostgreSqlVersion.Major < 14)
        {
            return;
        }

        var command = new NpgsqlCommand($"SELECT pg_terminate_backend($1, {ExitWaitMilliseconds})", other);
        await using var scope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
