using System.Diagnostics;

namespace Prewarm.Consumer.Tests.Infrastructure;

// Every app process the consumer tests start, so that the run's end can kill what a failed test left running before
// it deletes the folder those processes run from.
internal static class ChildProcesses
{
    private static readonly List<Process> s_started = [];

    public static void Track(Process process)
    {
        lock (s_started)
        {
            s_started.Add(process);
        }
    }

    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Not started, or already gone.
        }
    }

    public static void KillAll()
    {
        Process[] started;
        lock (s_started)
        {
            started = [.. s_started];
            s_started.Clear();
        }

        foreach (var process in started)
        {
            Kill(process);
            try
            {
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
