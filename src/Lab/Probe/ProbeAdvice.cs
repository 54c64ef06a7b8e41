using System.Globalization;
using Npgsql;

namespace Prewarm.Lab.Probe;

/// <summary>Advice that follows from the probe's numbers; each line quotes the number it rests on.</summary>
internal static class ProbeAdvice
{
    public static IReadOnlyList<string> From(ColdConnectionProbe probe, NpgsqlConnectionStringBuilder target, TimeSpan rtt, char gssAnswer)
    {
        var advice = new List<string>();
        var rttMs = Math.Max(rtt.TotalMilliseconds, 0.001);
        var open = Ms(probe.Phase("cold open"));
        var gss = Ms(probe.Phase("GSS encryption request"));

        if (target.GssEncryptionMode != GssEncryptionMode.Disable)
        {
            // Npgsql 10's default is Prefer: with Kerberos credentials around it asks for GSS encryption before TLS on every physical open.
            var server = gssAnswer == 'G' ? "this server's build would negotiate it" : "this server refuses it";
            advice.Add(Inv($"GSS Encryption Mode is {target.GssEncryptionMode} ({server}): unless you use Kerberos, set `GSS Encryption Mode=Disable`; an attempt costs at least one round trip (~{gss:0.0} ms here) on every physical open."));
        }

        // Below half a millisecond (loopback, same host) an open's cost is CPU, and a round-trip count would mislead.
        var shape = rttMs < 0.5
            ? Inv($"with a ~{rttMs:0.00} ms RTT that is CPU (TLS, SCRAM, JIT), not round trips")
            : Inv($"≈ {open / rttMs:0} round trips of ~{rttMs:0.0} ms");
        advice.Add(Inv($"One physical open costs {open:0.0} ms, {shape}. Without a warm pool, each of the first concurrent requests pays it: set WarmConnections (N) to the concurrency you expect in the first second; opened in parallel, N connections cost about one open of wall time."));

        var first = Ms(probe.Phase("first query"));
        var second = Ms(probe.Phase("second query"));
        advice.Add(first - second > Math.Max(1, rttMs / 2)
            ? Inv($"The first query on a connection took {first - second:0.0} ms longer than the second ({first:0.0} vs {second:0.0} ms): run your real statements as WarmupWork, not just SELECT 1, so that cost is paid before traffic.")
            : Inv($"First and second SELECT 1 cost about the same ({first:0.0} vs {second:0.0} ms); your real queries still pay their own first-use costs (prepare, type handlers), so warm up with them."));

        if (probe.Phase("type loading") is { } types && types.TotalMilliseconds > 2 * rttMs)
        {
            advice.Add(Inv($"Type loading took ~{types.TotalMilliseconds:0.0} ms (derived) on the data source's first open; Prewarm's warm-up pays it before traffic, a plain data source on the first request."));
        }

        return advice;
    }

    private static double Ms(TimeSpan? value) => value?.TotalMilliseconds ?? 0;

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
