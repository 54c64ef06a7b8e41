using System.CommandLine;
using Spectre.Console;

namespace Prewarm.Lab.Cli;

/// <summary>The <c>prewarm</c> command line: parses, runs one subcommand, and turns every failure into one line and an exit code.</summary>
internal static class LabApp
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int UsageError = 2;

    // 128 + SIGINT, what shells report for Ctrl+C.
    public const int Cancelled = 130;

    /// <remarks><paramref name="cores"/>: The cores the lab may use; null: this process's affinity mask. A test passes one core to see the refusals.</remarks>
    public static RootCommand Build(IAnsiConsole ui, IReadOnlyList<int>? cores = null)
    {
        var root = new RootCommand("prewarm: measure what the first database request after a cold start costs, and where it goes.")
        {
            CompareCommand.Create(ui, cores ?? Prewarm.LocalPostgres.Processes.CpuAffinity.OfCurrentThread()),
            ProbeCommand.Create(ui),
            GateBenchCommand.Create(ui),
        };
        return root;
    }

    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, bool handleTermination, IReadOnlyList<int>? cores, CancellationToken ct)
    {
        var ui = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (output != Console.Out || Console.IsOutputRedirected)
        {
            // Spectre assumes 80 columns without a terminal; a log or a file reads better with the tables unwrapped.
            ui.Profile.Width = 160;
        }

        // Bare `prewarm` shows the help rather than an error about a missing command.
        var parsed = Build(ui, cores).Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Errors.Count > 0)
        {
            // Some of System.CommandLine's messages span lines (e.g. the list of accepted values); the contract is one line.
            var message = string.Join(' ', parsed.Errors[0].Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            await error.WriteLineAsync($"error: {message} (see prewarm --help)");
            return UsageError;
        }

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Our own handler below prints one line; the default one prints a stack trace.
            EnableDefaultExceptionHandler = false,
            // Ctrl+C cancels the token; cleanup (kill the apps, stop the embedded server) gets this long before the process ends anyway.
            ProcessTerminationTimeout = handleTermination ? TimeSpan.FromSeconds(30) : null,
        };

        try
        {
            return await parsed.InvokeAsync(configuration, ct);
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("cancelled; everything the lab started has been stopped");
            return Cancelled;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"error: {FailureText.Describe(e)}");
            return Failed;
        }
    }
}
