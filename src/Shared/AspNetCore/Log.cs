using Microsoft.Extensions.Logging;

namespace Prewarm.AspNetCore;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Gate: {Path} rejected, '{Name}' is {State} after waiting up to {GateTimeoutSeconds} s.")]
    public static partial void GateRejected(ILogger logger, string? path, string name, WarmupState state, double gateTimeoutSeconds);

    [LoggerMessage(2, LogLevel.Warning, "Gate: {Path} met a dead connection to '{Name}'; the pool is re-warming and the next requests wait at the gate.")]
    public static partial void GateReportedDeadConnection(ILogger logger, string? path, string name);
}
