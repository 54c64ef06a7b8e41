using Prewarm.Lab.Cli;

namespace Prewarm.Lab.Tests;

/// <summary>Runs the <c>prewarm</c> command line in-process and keeps what it printed.</summary>
internal sealed record LabRun(int ExitCode, string Output, string Error)
{
    public static Task<LabRun> RunAsync(string[] args, CancellationToken ct = default) => RunAsync(args, null, ct);

    /// <summary>As if the lab could use only <paramref name="cores"/>: one core simulates a small machine.</summary>
    public static Task<LabRun> RunOnCoresAsync(string[] args, IReadOnlyList<int> cores) => RunAsync(args, cores, CancellationToken.None);

    private static async Task<LabRun> RunAsync(string[] args, IReadOnlyList<int>? cores, CancellationToken ct)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await LabApp.RunAsync(args, output, error, handleTermination: false, cores, ct);
        return new LabRun(code, output.ToString(), error.ToString());
    }

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The bad-input contract: this exit code, and exactly one line on stderr that says what went wrong.</summary>
    public void AssertOneLineFailure(int exitCode, params string[] fragments)
    {
        Assert.Equal(exitCode, ExitCode);
        var line = Assert.Single(ErrorLines);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, line, StringComparison.Ordinal);
        }
    }
}
