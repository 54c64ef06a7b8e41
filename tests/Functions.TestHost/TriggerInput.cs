using System.Text.Json;

namespace Prewarm.Functions.TestHost;

/// <summary>The trigger payloads the host sends for the built-in triggers, as the host serialises them.</summary>
public static class TriggerInput
{
    /// <summary>The warmup trigger's: an empty WarmupContext object.</summary>
    public const string Warmup = "{}";

    /// <summary>The timer trigger's TimerInfo: the schedule, the last and next occurrences, and whether it is past due.</summary>
    public static string Timer(bool isPastDue = false, DateTime? last = null)
    {
        var now = DateTime.UtcNow;
        return JsonSerializer.Serialize(new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = new { Last = last ?? now.AddMinutes(-2), Next = now.AddMinutes(2), LastUpdated = now },
            IsPastDue = isPastDue,
        });
    }
}
