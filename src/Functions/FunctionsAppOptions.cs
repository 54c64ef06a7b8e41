using System.Globalization;
using Microsoft.Extensions.Configuration;
using Prewarm.Functions.Warmup;

namespace Prewarm.Functions;

// The app's own settings, outside the library's section Prewarm:postgres (which rejects unknown keys).
// Public only because function constructors take it, and the worker activates functions through public constructors.
public sealed class FunctionsAppOptions
{
    public const string KeepAliveScheduleKey = "Prewarm:KeepAliveSchedule";
    public const string WarmupFunctionTimeoutKey = "Prewarm:WarmupFunctionTimeout";

    // The Warmup trigger holds a new instance out of rotation until the function returns; past this the function
    // gives up and the gate covers the rest. Below the library's 60-second WarmupTimeout, so a slow run still ends here.
    private static readonly TimeSpan s_defaultWarmupFunctionTimeout = TimeSpan.FromSeconds(30);

    private FunctionsAppOptions(string keepAliveSchedule, TimeSpan warmupFunctionTimeout)
    {
        KeepAliveSchedule = keepAliveSchedule;
        WarmupFunctionTimeout = warmupFunctionTimeout;
    }

    // Read by the host too, as %Prewarm:KeepAliveSchedule% on the KeepAlive function's trigger.
    public string KeepAliveSchedule { get; }

    public TimeSpan WarmupFunctionTimeout { get; }

    internal static FunctionsAppOptions Load(IConfiguration configuration)
    {
        var schedule = configuration[KeepAliveScheduleKey];
        if (string.IsNullOrWhiteSpace(schedule))
        {
            throw new InvalidOperationException(
                $"Prewarm.Functions: '{KeepAliveScheduleKey}' is not set (app setting Prewarm__KeepAliveSchedule). " +
                "The KeepAlive timer needs it, e.g. \"0 */2 * * * *\" for every two minutes.");
        }

        if (KeepAliveScheduleShape.Check(schedule) is { } problem)
        {
            throw new InvalidOperationException($"Prewarm.Functions: '{KeepAliveScheduleKey}' is \"{schedule}\": {problem}");
        }

        var timeout = s_defaultWarmupFunctionTimeout;
        if (configuration[WarmupFunctionTimeoutKey] is { Length: > 0 } text)
        {
            if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out timeout) || timeout <= TimeSpan.Zero)
            {
                throw new InvalidOperationException($"Prewarm.Functions: '{WarmupFunctionTimeoutKey}' is \"{text}\"; it must be a positive time span such as 00:00:30.");
            }
        }

        return new FunctionsAppOptions(schedule.Trim(), timeout);
    }
}
