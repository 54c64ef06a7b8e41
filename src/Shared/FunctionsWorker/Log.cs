using Microsoft.Extensions.Logging;

namespace Prewarm.Functions.Worker;

// The ids are the ones the sample app's lines had before they moved into this package, so existing queries keep working.
internal static partial class Log
{
    // The Warmup function.
    [LoggerMessage(3, LogLevel.Information, "Warmup: '{Name}' is warm, {Connections} connection(s) in {DurationMs} ms after {Attempts} attempt(s).")]
    public static partial void WarmupFunctionWarm(ILogger logger, string name, int connections, double durationMs, int attempts);

    [LoggerMessage(4, LogLevel.Error, "Warmup: '{Name}' is not warm after {TimeoutSeconds} s (state {State}); the gate covers invocations until it is.")]
    public static partial void WarmupFunctionTimedOut(ILogger logger, string name, double timeoutSeconds, WarmupState state);

    [LoggerMessage(5, LogLevel.Error, "Warmup: '{Name}' is {State} after {Attempts} attempt(s): {LastError}")]
    public static partial void WarmupFunctionFailed(ILogger logger, string name, WarmupState state, int attempts, string? lastError);

    // The KeepAlive function.
    [LoggerMessage(6, LogLevel.Warning, "KeepAlive: past due for '{Name}' (last {Last}, next {Next}); running one pass.")]
    public static partial void KeepAlivePastDue(ILogger logger, string name, DateTime? last, DateTime? next);

    [LoggerMessage(10, LogLevel.Warning, "KeepAlive: 'Prewarm:{Name}:KeepAliveInterval' is 00:00:00, so only the KeepAlive timer keeps '{Name}' valid, and Azure runs it on one instance at a time: on the others idle connections die at the 4-minute idle cut. Remove the setting (default 2 minutes) unless the app never scales out.")]
    public static partial void BackgroundKeepAliveOff(ILogger logger, string name);

    // The gate middleware.
    [LoggerMessage(1, LogLevel.Debug, "Gate: {FunctionName} waited for '{Name}' to warm, then ran.")]
    public static partial void GateWaitedForWarm(ILogger logger, string functionName, string name);

    [LoggerMessage(2, LogLevel.Warning, "Gate: {FunctionName} rejected, '{Name}' is {State} after waiting up to {GateTimeoutSeconds} s.")]
    public static partial void GateRejected(ILogger logger, string functionName, string name, WarmupState state, double gateTimeoutSeconds);

    [LoggerMessage(9, LogLevel.Warning, "Gate: {FunctionName} met a dead connection to '{Name}'; the pool is re-warming and the next invocations wait at the gate.")]
    public static partial void GateReportedDeadConnection(ILogger logger, string functionName, string name);
}
