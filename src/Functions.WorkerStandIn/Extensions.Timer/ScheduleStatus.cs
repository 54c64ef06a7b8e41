// Mirrors extensions/Worker.Extensions.Timer/src/ScheduleStatus.cs: Last and Next, which the app logs.
namespace Microsoft.Azure.Functions.Worker;

public class ScheduleStatus
{
    public DateTime Last { get; set; }

    public DateTime Next { get; set; }
}
