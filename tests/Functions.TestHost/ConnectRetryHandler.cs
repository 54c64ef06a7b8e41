namespace Prewarm.Functions.TestHost;

// The worker answers WorkerInit from its gRPC hosted service, which starts before the ASP.NET Core server does, so
// its HttpUri can refuse connections for a moment after the functions are loaded. The Functions host retries the
// forwarded request for that reason (RetryProxyHandler in azure-functions-host: up to 10 attempts on
// HttpRequestException, 50 ms growing to 250 ms apart); this does the same, so an invocation sent at once behaves
// as it does under the real host.
internal sealed class ConnectRetryHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const int MaxAttempts = 10;
    private static readonly TimeSpan s_initialDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_maximumDelay = TimeSpan.FromMilliseconds(250);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var delay = s_initialDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_maximumDelay.Ticks));
            }
        }
    }
}
