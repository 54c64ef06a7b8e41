using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Prewarm.SampleApp;

/// <summary>
/// Splits a request into consecutive phases and reports them in a <c>Server-Timing</c> header
/// (https://www.w3.org/TR/server-timing/), so the lab can say where a first request's time went.
/// </summary>
internal sealed class ServerTiming
{
    private readonly StringBuilder _header = new();
    private long _last = Stopwatch.GetTimestamp();

    public void Mark(string phase)
    {
        var now = Stopwatch.GetTimestamp();
        Add(phase, Stopwatch.GetElapsedTime(_last, now));
        _last = now;
    }

    /// <summary>A phase timed elsewhere (the gate, a middleware before the handler), recorded without moving this request's clock.</summary>
    public void Add(string phase, TimeSpan duration)
    {
        if (_header.Length > 0)
        {
            _header.Append(", ");
        }

        _header.Append(phase).Append(";dur=").Append(duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture));
    }

    public void WriteTo(HttpResponse response) => response.Headers["Server-Timing"] = _header.ToString();
}
