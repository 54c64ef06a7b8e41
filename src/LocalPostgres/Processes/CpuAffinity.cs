using System.Globalization;
using System.Runtime.InteropServices;

namespace Prewarm.LocalPostgres.Processes;

/// <summary>
/// Which cores threads may run on (Linux <c>sched_setaffinity</c>), so the lab can give an app one core of its own
/// and the database the rest, as on Azure. The mask is per thread: a new thread, and a forked child, inherit the
/// creating thread's, so pinning every thread of this process before a server starts pins the server too.
/// </summary>
public static partial class CpuAffinity
{
    // 1024 cores: the kernel's default cpu_set_t.
    private const int MaskBytes = 128;

    /// <summary>The cores this thread may run on, ascending.</summary>
    public static IReadOnlyList<int> OfCurrentThread()
    {
        var mask = new byte[MaskBytes];
        if (!OperatingSystem.IsLinux() || GetAffinity(0, mask.Length, mask) != 0)
        {
            return [.. Enumerable.Range(0, Environment.ProcessorCount)];
        }

        return [.. Enumerable.Range(0, MaskBytes * 8).Where(cpu => (mask[cpu / 8] & (1 << (cpu % 8))) != 0)];
    }

    /// <summary>Pins the calling thread, and so every thread and child it creates from now on.</summary>
    public static void PinCurrentThread(IReadOnlyCollection<int> cpus) => Pin(0, cpus);

    /// <summary>Pins every thread of this process (each is listed in /proc/self/task).</summary>
    public static void PinThisProcess(IReadOnlyCollection<int> cpus)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                Pin(int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture), cpus);
            }
            catch (InvalidOperationException) when (!Directory.Exists(task))
            {
                // The thread ended between listing and pinning.
            }
        }
    }

    /// <summary>What the kernel says a process may run on (<c>Cpus_allowed_list</c> of /proc/PID/status, e.g. "1" or "0-1"); null if it is gone.</summary>
    public static string? AllowedList(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The list in taskset's and the kernel's syntax: "0", "1,3".</summary>
    public static string Format(IEnumerable<int> cpus) => string.Join(',', cpus.Select(c => c.ToString(CultureInfo.InvariantCulture)));

    private static void Pin(int threadId, IReadOnlyCollection<int> cpus)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        var mask = new byte[MaskBytes];
        foreach (var cpu in cpus)
        {
            mask[cpu / 8] |= (byte)(1 << (cpu % 8));
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("pinning threads to cores needs Linux (sched_setaffinity)");
        }

        if (SetAffinity(threadId, mask.Length, mask) != 0)
        {
            throw new InvalidOperationException($"sched_setaffinity({threadId}, cores {Format(cpus)}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SetAffinity(int pid, nint size, byte[] mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int GetAffinity(int pid, nint size, byte[] mask);
}
