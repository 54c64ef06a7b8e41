using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Prewarm.Gates;

// The answer both gates give an HTTP caller while the pool is not warm: 503, Retry-After and a line saying why, never
// the connection string or the last error (those go to the logs and the health check). Compiled into Prewarm.AspNetCore
// and Prewarm.Functions.Worker alike (linked, not a public type), so the two gates cannot drift apart.
internal static class ServiceUnavailable
{
    // A client that retries after the gate timeout finds either a warm pool or a decided failure, not the same wait.
    public static int RetryAfterSeconds(TimeSpan gateTimeout) => Math.Max(1, (int)Math.Ceiling(gateTimeout.TotalSeconds));

    public static Task WriteAsync(HttpResponse response, WarmupState state, TimeSpan gateTimeout, CancellationToken cancellationToken)
    {
        var retryAfterSeconds = RetryAfterSeconds(gateTimeout);
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(
            $"The database is not ready yet (warm-up state: {state}). Retry after {retryAfterSeconds} s.", cancellationToken);
    }
}
