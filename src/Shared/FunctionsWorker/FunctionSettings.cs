using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Prewarm.Functions.Worker;

// The package's own settings, outside the library's section Prewarm:{name} (which rejects unknown keys). Read once,
// when the gate's start-up check resolves them: a bad value stops the worker at start with the key to fix. The timer
// extension, which would reject a bad schedule too, runs in the host, not in this process.
internal sealed class FunctionSettings
{
    public const string KeepAliveScheduleKey = "Prewarm:KeepAliveSchedule";
    public const string WarmupFunctionTimeoutKey = "Prewarm:WarmupFunctionTimeout";

    // The Warmup trigger holds a new instance out of rotation until the function returns; past this the function
    // gives up and the gate covers the rest. Below the library's 60-second WarmupTimeout, so a slow run still ends here.
    private static readonly TimeSpan s_defaultWarmupFunctionTimeout = TimeSpan.FromSeconds(30);

    private FunctionSettings(TimeSpan warmupFunctionTimeout) => WarmupFunctionTimeout = warmupFunctionTimeout;

    public TimeSpan WarmupFunctionTimeout { get; }

    public static FunctionSettings Load(IConfiguration configuration)
    {
        // Read by the host, as %Prewarm:KeepAliveSchedule% on the KeepAlive function's trigger; checked here only.
        var schedule = configuration[KeepAliveScheduleKey];
        if (string.IsNullOrWhiteSpace(schedule))
        {
            throw new InvalidOperationException(
                $"Prewarm.Functions.Worker: '{KeepAliveScheduleKey}' is not set (app setting Prewarm__KeepAliveSchedule). " +
                "The package's KeepAlive timer needs it, e.g. \"0 */2 * * * *\" for every two minutes.");
        }

        if (KeepAliveScheduleShape.Check(schedule) is { } problem)
        {
            throw new InvalidOperationException($"Prewarm.Functions.Worker: '{KeepAliveScheduleKey}' is \"{schedule}\": {problem}");
        }

        var timeout = s_defaultWarmupFunctionTimeout;
        if (configuration[WarmupFunctionTimeoutKey] is { Length: > 0 } text)
        {
            if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out timeout) || timeout <= TimeSpan.Zero)
            {
                throw new InvalidOperationException($"Prewarm.Functions.Worker: '{WarmupFunctionTimeoutKey}' is \"{text}\"; it must be a positive time span such as 00:00:30.");
            }
        }

        return new FunctionSettings(timeout);
    }
}
