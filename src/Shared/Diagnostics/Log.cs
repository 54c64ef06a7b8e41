using Microsoft.Extensions.Logging;

namespace Prewarm.Diagnostics;

// Every message names the connection (never its string) so several data sources can be told apart.
internal static partial class Log
{
    // A warm-up run (WarmupRun, ConnectionWarmer).
    [LoggerMessage(1, LogLevel.Information, "Prewarm warm-up for '{Name}' started: {Connections} connections")]
    public static partial void WarmupStarted(ILogger logger, string name, int connections);

    [LoggerMessage(2, LogLevel.Information, "Prewarm warm-up for '{Name}' finished: {State}, {Warmed} connections in {DurationMs:F0} ms after {Attempts} attempt(s)")]
    public static partial void WarmupFinished(ILogger logger, string name, WarmupState state, int warmed, double durationMs, int attempts);

    [LoggerMessage(3, LogLevel.Warning, "Prewarm warm-up for '{Name}' attempt {Attempt} failed, retrying in {DelayMs:F0} ms: {Reason}")]
    public static partial void WarmupRetrying(ILogger logger, string name, int attempt, double delayMs, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Prewarm warm-up for '{Name}' is still failing after {Attempts} attempt(s); next run in {DelayMs:F0} ms: {Reason}")]
    public static partial void WarmupRunFailed(ILogger logger, string name, int attempts, double delayMs, string reason);

    [LoggerMessage(14, LogLevel.Warning, "Prewarm warm-up for '{Name}': the warm-up work failed on {Failed} of {Requested} connections; those are open but not warm: {Reason}")]
    public static partial void WarmupWorkFailed(ILogger logger, string name, int failed, int requested, string reason);

    [LoggerMessage(18, LogLevel.Warning, "Prewarm warm-up for '{Name}' is warm with {Warmed} of {Requested} connections: opening the others after the first invocation failed; the keep-alive pass takes more: {Reason}")]
    public static partial void TopUpFailed(ILogger logger, string name, int warmed, int requested, string reason);

    [LoggerMessage(4, LogLevel.Error, "Prewarm warm-up for '{Name}' failed and will not be retried (SQLSTATE {SqlState}): {Reason}")]
    public static partial void WarmupFailedPermanently(ILogger logger, string name, string? sqlState, string reason);

    [LoggerMessage(13, LogLevel.Warning, "Prewarm for '{Name}' is warm with {Warmed} of {Requested} connections: the server had {FreeSlots} free slots and {Reserve} stay free for instances that hold none (max_connections or a CONNECTION LIMIT); the keep-alive pass takes more as room appears")]
    public static partial void WarmupShortOfRoom(ILogger logger, string name, int warmed, int requested, string freeSlots, int reserve);

    // The host's start and stop (Hosting).
    [LoggerMessage(6, LogLevel.Warning, "Prewarm: host start stopped waiting for '{Name}' after {TimeoutMs:F0} ms; warm-up goes on in the background")]
    public static partial void StartupWaitTimedOut(ILogger logger, string name, double timeoutMs);

    [LoggerMessage(15, LogLevel.Warning, "Prewarm for '{Name}': the host did not take over the warm-up started by AddPrewarmedNpgsql within {TimeoutMs:F0} ms; it was stopped and its connections closed")]
    public static partial void EarlyStartAbandoned(ILogger logger, string name, double timeoutMs);

    [LoggerMessage(16, LogLevel.Information, "Prewarm for '{Name}' is disabled ('Prewarm:{Name}:Enabled' is false): no warm-up, the gate lets every invocation through")]
    public static partial void Disabled(ILogger logger, string name);

    [LoggerMessage(17, LogLevel.Warning, "Prewarm: {Dropped} early log entries were dropped before the host's logging existed")]
    public static partial void EarlyEntriesDropped(ILogger logger, int dropped);

    [LoggerMessage(9, LogLevel.Information, "Prewarm for '{Name}' stopped")]
    public static partial void Stopped(ILogger logger, string name);

    // Keep-alive passes (KeepAlive).
    [LoggerMessage(7, LogLevel.Information, "Prewarm keep-alive for '{Name}': {Validated} validated, {Replaced} replaced, {Opened} opened, {Retired} retired, {Shed} given back; {Connections} of {Requested} warm; free slots on the server: {FreeSlots}")]
    public static partial void KeepAliveFinished(ILogger logger, string name, int validated, int replaced, int opened, int retired, int shed, int connections, int requested, string freeSlots);

    [LoggerMessage(8, LogLevel.Warning, "Prewarm keep-alive for '{Name}' failed: {Reason}")]
    public static partial void KeepAliveFailed(ILogger logger, string name, string reason);

    // A failover reported by a request.
    [LoggerMessage(12, LogLevel.Warning, "Prewarm for '{Name}': a connection to a server that went away ({Reason}); pool cleared, re-warming")]
    public static partial void FailoverDetected(ILogger logger, string name, string reason);

    // Entra ID tokens (Authentication).
    [LoggerMessage(10, LogLevel.Information, "Prewarm for '{Name}': Entra ID token acquired in {DurationMs:F0} ms, expires {ExpiresOn:u}")]
    public static partial void TokenAcquired(ILogger logger, string name, double durationMs, DateTimeOffset expiresOn);

    [LoggerMessage(11, LogLevel.Warning, "Prewarm for '{Name}': Entra ID token failed: {Reason}")]
    public static partial void TokenFailed(ILogger logger, string name, string reason);
}
