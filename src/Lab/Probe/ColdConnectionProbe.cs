using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Npgsql;
using Prewarm.Lab.Cli;

namespace Prewarm.Lab.Probe;

/// <summary>
/// Takes one cold connection apart. Npgsql exposes no per-phase timings, so DNS, TCP and TLS are measured on a raw
/// socket doing the same steps, the full Npgsql opens are measured whole, and authentication and type loading are
/// derived by subtraction; every phase's label says which.
/// </summary>
internal sealed class ColdConnectionProbe(string connectionString, TimeSpan phaseTimeout, bool entra = false)
{
    private readonly List<ProbePhase> _phases = [];
    private string _current = "connection string";
    private bool _recording = true;

    public async Task<ProbeResult> RunAsync(CancellationToken ct)
    {
        try
        {
            var probed = entra ? await WithEntraTokenAsync(ct) : connectionString;
            var target = DatabaseTarget.Parse(probed);
            var host = target.Host!.Split(',')[0];
            var addresses = await PhaseAsync("DNS", IPAddress.TryParse(host, out _) ? "literal IP, no lookup" : "Dns.GetHostAddressesAsync",
                token => IPAddress.TryParse(host, out var ip) ? Task.FromResult(new[] { ip }) : Dns.GetHostAddressesAsync(host, token), ct);
            var endPoint = new IPEndPoint(addresses[0], target.Port);
            // Twice: the first pass pays this process's own JIT of sockets and SslStream, which is not the network's cost.
            _recording = false;
            await RawHandshakesAsync(target, host, endPoint, ct);
            _recording = true;
            var gss = await RawHandshakesAsync(target, host, endPoint, ct);

            var timeoutSeconds = (int)Math.Ceiling(phaseTimeout.TotalSeconds);
            var plain = new NpgsqlConnectionStringBuilder(probed) { Pooling = false, Timeout = timeoutSeconds };
            await PhaseAsync("first open in this process", "full Npgsql open, measured; includes Npgsql's own JIT", token => OpenOnceAsync(new NpgsqlDataSourceBuilder(plain.ConnectionString), token), ct);
            var noTypes = new NpgsqlDataSourceBuilder(Named(plain, "prewarm-probe-no-types"));
            noTypes.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
            await PhaseAsync("open without type loading", "full Npgsql open, measured, type loading off", token => OpenOnceAsync(noTypes, token), ct);

            // Each open gets its own data source under its own Application Name: no cache can hand it types loaded earlier.
            await using var dataSource = NpgsqlDataSource.Create(Named(plain, "prewarm-probe"));
            await using var connection = await PhaseAsync("cold open", "full Npgsql open on a fresh data source, measured", token => dataSource.OpenConnectionAsync(token).AsTask(), ct);

            var network = (Phase("TCP connect") ?? TimeSpan.Zero) + (Phase("TLS request") ?? TimeSpan.Zero) + (Phase("TLS handshake") ?? TimeSpan.Zero);
            var openNoTypes = Phase("open without type loading")!.Value;
            Derived("authentication + startup", openNoTypes - network, "derived: open without type loading − TCP − TLS request − TLS handshake");
            Derived("type loading", Phase("cold open")!.Value - openNoTypes, "derived: cold open − open without type loading");

            await PhaseAsync("first query", "SELECT 1, first in this process (JIT included), measured", token => ScalarAsync(connection, token), ct);
            await PhaseAsync("second query", "SELECT 1 again, measured", token => ScalarAsync(connection, token), ct);
            for (var i = 0; i < 5; i++)
            {
                await PhaseAsync(Inv($"query {i + 3}"), "SELECT 1 again, for the RTT estimate", token => ScalarAsync(connection, token), ct);
            }

            // Repeated SELECT 1 on an open connection: one round trip plus microseconds of server time. TCP connect is no
            // estimate: a proxy or gateway in between (Azure's, PgBouncer, the lab's) accepts locally and delays the first bytes instead.
            var repeated = _phases.Where(p => p.Name.StartsWith("query ", StringComparison.Ordinal)).Select(p => p.Duration).Order().ToArray();
            var rtt = repeated[repeated.Length / 2];
            return new ProbeResult(_phases, rtt, ProbeAdvice.From(this, target, rtt, gss), null, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? $"no answer within {phaseTimeout.TotalSeconds:0} s" : FailureText.Describe(e);
            return new ProbeResult(_phases, null, [], _current, reason);
        }
    }

    // The token the library fetches before its first open, timed as its own phase.
    private async Task<string> WithEntraTokenAsync(CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.Username))
        {
            throw new LabException("with --entra the connection string needs Username=, the identity's PostgreSQL role name");
        }

        builder.Password = await PhaseAsync("Entra ID token", "AZURE_CLIENT_ID → ManagedIdentityCredential, else AzureCliCredential; measured", ProbeToken.FetchAsync, ct);
        return builder.ConnectionString;
    }

    private async Task<char> RawHandshakesAsync(NpgsqlConnectionStringBuilder target, string host, IPEndPoint endPoint, CancellationToken ct)
    {
        using (var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
        {
            await PhaseAsync("TCP connect", "raw socket connect (1 RTT; near 0 if a proxy accepts locally, then the next step carries it)", async token => { await socket.ConnectAsync(endPoint, token); return 0; }, ct);
            if (target.SslMode != SslMode.Disable)
            {
                var answer = await PhaseAsync("TLS request", "SSLRequest on the raw socket (1 RTT)", token => WireRequests.AskAsync(socket, WireRequests.SslRequestCode, token), ct);
                if (answer != 'S')
                {
                    throw new LabException($"the server does not offer TLS (answered '{answer}') but SSL Mode is {target.SslMode}");
                }

                await using var stream = new SslStream(new NetworkStream(socket, ownsSocket: false));
                // This handshake is only timed and carries no data; Npgsql applies the connection string's own certificate rules in the opens below.
#pragma warning disable CA5359
                var options = new SslClientAuthenticationOptions { TargetHost = host, RemoteCertificateValidationCallback = (_, _, _, _) => true };
#pragma warning restore CA5359
                await PhaseAsync("TLS handshake", "SslStream handshake on the raw socket", async token => { await stream.AuthenticateAsClientAsync(options, token); return 0; }, ct);
            }
        }

        // On its own connection: a server built with GSSAPI answers 'G' and then expects a GSS token, not an SSLRequest.
        using var gssSocket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await gssSocket.ConnectAsync(endPoint, ct).AsTask().WaitAsync(phaseTimeout, ct);
        return await PhaseAsync("GSS encryption request", "GSSENCRequest on a second raw socket (1 RTT)", token => WireRequests.AskAsync(gssSocket, WireRequests.GssEncRequestCode, token), ct);
    }

    public TimeSpan? Phase(string name) => _phases.FirstOrDefault(p => p.Name == name)?.Duration;

    private async Task<T> PhaseAsync<T>(string name, string how, Func<CancellationToken, Task<T>> step, CancellationToken ct)
    {
        _current = name;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(phaseTimeout);
        var started = Stopwatch.GetTimestamp();
        var value = await step(bounded.Token).WaitAsync(bounded.Token);
        if (_recording)
        {
            _phases.Add(new ProbePhase(name, Stopwatch.GetElapsedTime(started), how));
        }

        return value;
    }

    private void Derived(string name, TimeSpan value, string how) => _phases.Add(new ProbePhase(name, value, how));

    private static async Task<int> OpenOnceAsync(NpgsqlDataSourceBuilder builder, CancellationToken ct)
    {
        await using var dataSource = builder.Build();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return 0;
    }

    private static string Named(NpgsqlConnectionStringBuilder builder, string applicationName) =>
        new NpgsqlConnectionStringBuilder(builder.ConnectionString) { ApplicationName = applicationName }.ConnectionString;

    private static string Inv(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return await command.ExecuteScalarAsync(ct);
    }
}
