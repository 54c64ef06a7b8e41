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
        if (_header.Length > 0)
        {
            _header.Append(", ");
        }

        _header.Append(phase).Append(";dur=").Append(Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture));
        _last = now;
    }

    public void WriteTo(HttpResponse response) => response.Headers["Server-Timing"] = _header.ToString();
}
