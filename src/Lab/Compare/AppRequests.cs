using System.Diagnostics;
using Prewarm.Lab.Cli;

namespace Prewarm.Lab.Compare;

/// <summary>How the lab times one request to the sample app, and reads the app's own split of it.</summary>
internal static class AppRequests
{
    public static HttpClient NewClient() => new(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    public static async Task<Timed> TimeAsync(HttpClient client, SampleAppProcess app, string path, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(new Uri(app.BaseAddress, path), HttpCompletionOption.ResponseContentRead, ct);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new LabException($"{path} answered {(int)response.StatusCode}: {FirstLine(body)} (app: {app.LastLine()})");
        }

        return new Timed(elapsed, ParseServerTiming(response));
    }

    /// <summary>The app's own split of the request (<c>Server-Timing: gate;dur=…, open;dur=…, query;dur=…</c>).</summary>
    private static Dictionary<string, double> ParseServerTiming(HttpResponseMessage response)
    {
        var phases = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!response.Headers.TryGetValues("Server-Timing", out var values))
        {
            return phases;
        }

        foreach (var entry in values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)))
        {
            var parts = entry.Split(";dur=", 2);
            if (parts.Length == 2 && double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms))
            {
                phases[parts[0]] = ms;
            }
        }

        return phases;
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }

    internal sealed record Timed(double Ms, IReadOnlyDictionary<string, double> Server);
}
