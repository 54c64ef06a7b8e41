// Mirrors extensions/Worker.Extensions.Timer/src/TimerTriggerAttribute.cs: constructor and Schedule. Upstream's
// converter attributes and UseMonitor/RunOnStartup are left out: the app sets neither and nothing here binds.
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

public sealed class TimerTriggerAttribute : TriggerBindingAttribute
{
    public TimerTriggerAttribute(string schedule)
    {
        Schedule = schedule;
    }

    public string Schedule { get; private set; }
}
