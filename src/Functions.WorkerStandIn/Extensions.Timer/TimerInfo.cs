// Mirrors extensions/Worker.Extensions.Timer/src/TimerInfo.cs.
namespace Microsoft.Azure.Functions.Worker;

public class TimerInfo
{
    public ScheduleStatus? ScheduleStatus { get; set; }

    public bool IsPastDue { get; set; }
}
