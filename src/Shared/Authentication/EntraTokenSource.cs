using Azure.Core;
using Microsoft.Extensions.Logging;
using Prewarm.Diagnostics;
using Prewarm.Threading;

namespace Prewarm.Authentication;

// Entra ID access tokens as PostgreSQL passwords. Npgsql asks for the password inside Open, after TCP and TLS, so a
// token fetched there puts the slowest step of a cold start (seconds for a first managed-identity token) on the
// request path. Here the token is fetched during warm-up, kept, and refreshed from a timer before it expires, so the
// password provider Npgsql calls on open only reads a field. Npgsql's UsePeriodicPasswordProvider refreshes on a
// fixed interval whatever the token's lifetime; this follows ExpiresOn instead, with margin and jitter.
internal sealed class EntraTokenSource(string name, TokenCredential credential, PrewarmSettings settings, TimeProvider time, SecretRedactor redactor, ILogger logger) : IDisposable
{
    public const string Scope = "https://ossrdbms-aad.database.windows.net/.default";

    // Refresh well before expiry, spread so that many instances do not ask at once.
    private static readonly TimeSpan s_refreshMargin = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_refreshJitter = TimeSpan.FromMinutes(1);

    // A cached token this close to expiry is not handed out: an open may take a while to reach authentication.
    private static readonly TimeSpan s_minimumValidity = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private AccessToken? _current;
    private readonly SingleFlight<AccessToken> _fetches = new();
    private ITimer? _refreshTimer;
    private TimeSpan _failureDelay = settings.RetryBaseDelay;
    private bool _disposed;

    // For the timer's static callback, which reaches this instance through its state.
    private TimeSpan RetryMaxDelay => settings.RetryMaxDelay;

    public async ValueTask<string> GetPasswordAsync(CancellationToken cancellationToken) =>
        TryGetFresh() ?? (await FetchAsync(cancellationToken).ConfigureAwait(false)).Token;

    // Npgsql's synchronous Open path. With a warmed pool the token is cached and this only reads it.
    public string GetPassword() => TryGetFresh() ?? FetchAsync(CancellationToken.None).GetAwaiter().GetResult().Token;

    /// <summary>Fetches a token unless a fresh one is cached: the warm-up's token phase.</summary>
    public async Task EnsureTokenAsync(CancellationToken cancellationToken)
    {
        if (TryGetFresh() is null)
        {
            await FetchAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _refreshTimer?.Dispose();
            _refreshTimer = null;
        }
    }

    private string? TryGetFresh()
    {
        lock (_lock)
        {
            return _current is { } token && token.ExpiresOn - time.GetUtcNow() > s_minimumValidity ? token.Token : null;
        }
    }

    // Single-flight: concurrent opens and the refresh timer share one request to the credential.
    private Task<AccessToken> FetchAsync(CancellationToken cancellationToken) => _fetches.Join(FetchCoreAsync).WaitAsync(cancellationToken);

    private async Task<AccessToken> FetchCoreAsync()
    {
        var started = time.GetTimestamp();
        try
        {
            // IMDS can hang: the credential call is bounded whatever the credential's own retry policy is.
            var token = await credential.GetTokenAsync(new TokenRequestContext([Scope]), CancellationToken.None)
                .AsTask().WaitAsync(settings.TokenTimeout, time).ConfigureAwait(false);
            redactor.Add(token.Token);
            lock (_lock)
            {
                _current = token;
                _failureDelay = settings.RetryBaseDelay;
                ScheduleRefresh(DueBeforeExpiry(token.ExpiresOn));
            }

            Log.TokenAcquired(logger, name, time.GetElapsedTime(started).TotalMilliseconds, token.ExpiresOn);
            return token;
        }
        catch (Exception ex)
        {
            var failure = EntraTokenException.From(ex, settings.TokenTimeout, redactor);
            Log.TokenFailed(logger, name, failure.Message);
            throw failure;
        }
    }

    private TimeSpan DueBeforeExpiry(DateTimeOffset expiresOn)
    {
        var jitter = s_refreshJitter * Random.Shared.NextDouble();
        var due = expiresOn - s_refreshMargin - jitter - time.GetUtcNow();
        // A short-lived token (shorter than the margin) is refreshed at half its remaining life instead.
        return due > TimeSpan.Zero ? due : (expiresOn - time.GetUtcNow()) / 2;
    }

    // Called under _lock.
    private void ScheduleRefresh(TimeSpan due)
    {
        if (_disposed)
        {
            return;
        }

        _refreshTimer?.Dispose();
        _refreshTimer = time.CreateTimer(static state => ((EntraTokenSource)state!).Refresh(), this, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    // Off the request path. A failed refresh leaves the current token (and every pooled connection) in place and
    // tries again with backoff; only new physical opens need a valid token.
    private void Refresh() => _ = FetchAsync(CancellationToken.None).ContinueWith(
        static (t, state) =>
        {
            var source = (EntraTokenSource)state!;
            lock (source._lock)
            {
                var delay = source._failureDelay;
                source._failureDelay = TimeSpan.FromTicks(Math.Min(source.RetryMaxDelay.Ticks, delay.Ticks * 2));
                source.ScheduleRefresh(delay);
            }
        },
        this,
        CancellationToken.None,
        TaskContinuationOptions.OnlyOnFaulted,
        TaskScheduler.Default);
}
