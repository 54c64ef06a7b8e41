using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Prewarm.LocalPostgres.Network;

/// <summary>
/// Blocks the calling (dedicated) thread until a Stopwatch timestamp. Task.Delay and Thread.Sleep work in whole
/// milliseconds on a millisecond tick, which made a 20 ms proxy add ~24.6 ms; nanosleep wakes within tens of
/// microseconds, so the configured delay is what the traffic gets.
/// </summary>
internal static partial class PreciseDelay
{
    public static void SleepUntil(long dueTimestamp)
    {
        while (true)
        {
            var remaining = dueTimestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            var nanoseconds = (long)(remaining * (1_000_000_000.0 / Stopwatch.Frequency));
            if (OperatingSystem.IsLinux())
            {
                var request = new Timespec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
                // An EINTR or an early wake just goes round the loop again.
                _ = NanoSleep(request, IntPtr.Zero);
            }
            else
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Ceiling(nanoseconds / 1_000_000.0)));
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in Timespec request, IntPtr remaining);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
