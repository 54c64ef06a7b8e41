using System.Text.RegularExpressions;

namespace Prewarm.Infra.Tests.Bicep;

/// <summary>One finished run of the Bicep CLI: its exit code and everything it printed.</summary>
internal sealed partial class BicepRun(string command, int exitCode, string output)
{
    public string Command { get; } = command;

    public int ExitCode { get; } = exitCode;

    public string Output { get; } = output;

    /// <summary>Every error and warning the compiler or the linter reported: "file(line,col) : Warning rule: text".</summary>
    public IReadOnlyList<string> Problems { get; } =
        [.. output.Split('\n').Select(l => l.Trim()).Where(l => ProblemLine().IsMatch(l)).Distinct()];

    /// <summary>Warnings count as failures here, as in Azure Verified Modules' CI.</summary>
    public bool IsClean => ExitCode == 0 && Problems.Count == 0;

    /// <summary>A run that was not asked for; it is not clean, so nothing mistakes it for a passing one.</summary>
    public static BicepRun Skipped(string command) => new(command, -1, "(not run)");

    public override string ToString() => $"bicep {Command} exited {ExitCode}{Environment.NewLine}{Output}";

    [GeneratedRegex(@"\) : (Error|Warning) ")]
    private static partial Regex ProblemLine();
}
