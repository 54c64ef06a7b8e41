namespace Prewarm.Lab.Tests;

/// <summary>Finds this test process's own children by command line, through /proc: nothing else on the machine is looked at.</summary>
internal static class ChildProcesses
{
    public static IReadOnlyList<int> Running(string commandLinePart)
    {
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // Field 4 of /proc/<pid>/stat is the parent; the name in field 2 is parenthesised and may hold spaces.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (parent == self && commandLine.Contains(commandLinePart, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // It exited while being read.
            }
        }

        return found;
    }
}
