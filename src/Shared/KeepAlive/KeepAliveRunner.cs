using Microsoft.Extensions.Logging;
using Prewarm.Diagnostics;
using Prewarm.Resilience;
using Prewarm.Threading;

namespace Prewarm.KeepAlive;

// Keep-alive passes, one at a time, from the background loop or a caller (the Functions timer); the last one is kept.
// A pool that is not warm gets a warm-up (or joins the one running) instead of a pass.
internal sealed class KeepAliveRunner(
    string name,
    PrewarmSettings settings,
    TimeProvider time,
    ILogger logger,
    SecretRedactor redactor,
    KeepAlivePass pass,
    Func<WarmupState> state,
    Func<CancellationToken, Task<WarmupReport>> ensureWarm,
    Func<WarmupPipelines> pipelines)
{
    private readonly SingleFlight<KeepAliveReport> _passes = new();
    private volatile KeepAliveReport? _last;

    public KeepAliveReport? Last => _last;

    public Task<KeepAliveReport> RunAsync(CancellationToken stopping) => _passes.Join(() => PassAsync(stopping));

    // Every instance runs this loop: Azure runs a timer trigger on one instance of a scaled-out app at a time.
    public async Task LoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(settings.KeepAliveInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await RunAsync(stopping).WaitAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task<KeepAliveReport> PassAsync(CancellationToken token)
    {
        var started = time.GetTimestamp();
        KeepAliveReport report;
        if (state() != WarmupState.Warm)
        {
            var warmup = await ensureWarm(token).ConfigureAwait(false);
            var counts = new KeepAliveCounts { Opened = warmup.ConnectionsWarmed, Held = warmup.ConnectionsWarmed };
            report = ReportOf(warmup.State, counts, started, warmup.State == WarmupState.Warm ? null : warmup.LastError);
        }
        else
        {
            try
            {
                var counts = await pipelines().Attempt.ExecuteAsync(pass.RunAsync, token).ConfigureAwait(false);
                Log.KeepAliveFinished(logger, name, counts.Validated, counts.Replaced, counts.Opened, counts.Retired, counts.Shed, counts.Held, settings.WarmConnections, counts.FreeSlots?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not looked at");
                report = ReportOf(state(), counts, started, error: null);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                var reason = redactor.Describe(ex);
                Log.KeepAliveFailed(logger, name, reason);
                report = ReportOf(state(), new KeepAliveCounts(), started, reason);
            }
        }

        _last = report;
        return report;
    }

    private KeepAliveReport ReportOf(WarmupState current, KeepAliveCounts counts, long started, string? error) => new()
    {
        State = current,
        Validated = counts.Validated,
        Replaced = counts.Replaced,
        Opened = counts.Opened,
        Retired = counts.Retired,
        Connections = counts.Held,
        Shed = counts.Shed,
        FreeSlots = counts.FreeSlots,
        Duration = time.GetElapsedTime(started),
        CompletedAt = time.GetUtcNow(),
        LastError = error,
    };
}
