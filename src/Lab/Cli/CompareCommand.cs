using System.CommandLine;
using System.Globalization;
using Prewarm.Lab.Compare;
using Prewarm.Lab.Report;
using Spectre.Console;

namespace Prewarm.Lab.Cli;

/// <summary><c>prewarm compare</c>: none vs select1 vs prewarm, fresh processes, behind a delay proxy.</summary>
internal static class CompareCommand
{
    public static readonly string[] Strategies = ["none", "select1", "prewarm", "nodb"];

    /// <remarks><paramref name="cores"/>: The cores the lab may use (its affinity mask); injectable so a test can be a 1-core machine.</remarks>
    public static Command Create(IAnsiConsole ui, IReadOnlyList<int> cores)
    {
        var connection = CommonOptions.Connection();
        var rtt = new Option<int[]>("--rtt")
        {
            Description = "Added round-trip times in ms, comma-separated; each is simulated by the lab's delay proxy.",
            DefaultValueFactory = _ => [0, 2, 20],
            CustomParser = CommonOptions.ParseMillisecondList,
        };
        var runs = CommonOptions.PositiveInt("--runs", 9, "Runs per strategy and RTT; each run starts the app twice (first request, then first burst).");
        var burst = CommonOptions.PositiveInt("--burst", 8, "Concurrent first requests in the burst.");
        var warmRequests = CommonOptions.PositiveInt("--warm-requests", 30, "Sequential steady-state requests per run for the warm p50.");
        var warmConnections = CommonOptions.PositiveInt("--warm-connections", 8, "N, the connections the prewarm strategy opens.");
        var output = new Option<string>("--out", "-o") { Description = "Folder for report.md and chart.svg.", DefaultValueFactory = _ => Path.Combine("artifacts", "compare") };
        var startup = new Option<string>("--prewarm-startup")
        {
            Description = "How the prewarm strategy starts: background (Kestrel accepts at once, /orders waits at the readiness gate, as in Functions) or block (host start waits until warm, like a readiness probe).",
            DefaultValueFactory = _ => "background",
        };
        startup.AcceptOnlyFromAmong("background", "block");
        var app = new Option<string?>("--app") { Description = "The sample app's dll (default: the one built with this tool), or \"functions\": the Functions app's real worker, warm-up on (prewarm) vs off (none)." };
        var builds = new Option<string[]>("--builds")
        {
            Description = "Which builds of the sample app to run, interleaved in every run: jit (the build output, IL) and r2r (a ReadyToRun publish, made first). The targets are judged on the first.",
            DefaultValueFactory = _ => [CompareSettings.Jit],
            CustomParser = ParseBuilds,
        };
        var readyToRun = new Option<bool>("--ready-to-run") { Description = "Run the sample app as a ReadyToRun publish: the same as --builds r2r." };
        var appCpus = new Option<string>("--app-cpus")
        {
            Description = "Cores for the app (and, with --app functions, the lab's Functions host side): 1 (the default: Azure's one core), 2, ..., or all (nothing pinned). PostgreSQL, the proxy and the lab get the remaining cores, so an embedded database needs one more core than the app.",
            DefaultValueFactory = _ => CorePlan.DefaultSetting,
            CustomParser = ParseAppCpus,
        };
        var afterReady = CommonOptions.BoundedInt("--after-ready", 2000, 0, "Also start a fresh process per run and strategy whose first request goes this many ms after it accepts (an always-ready or pre-warmed instance); 0 skips it.");

        var command = new Command("compare", "Start the sample app fresh for each strategy (none, select1, prewarm) and added RTT; measure the first request, a first burst and the steady state; write a markdown report and an SVG chart.")
        {
            connection, rtt, runs, burst, warmRequests, warmConnections, startup, output, app, builds, readyToRun, appCpus, afterReady,
        };
        command.Validators.Add(result =>
        {
            // Read from the tokens: the value of a --builds that failed to parse would throw here.
            var buildTokens = result.GetResult(builds) is { Implicit: false } given ? given.Tokens.Select(t => t.Value).ToList() : null;
            var r2r = result.GetValue(readyToRun) || buildTokens?.Any(t => t.Split(',').Contains(CompareSettings.ReadyToRun)) == true;
            if (buildTokens is not null && result.GetValue(readyToRun))
            {
                result.AddError("--ready-to-run is --builds r2r: give one of them");
            }
            else if (r2r && result.GetValue(app) is not null)
            {
                result.AddError("a ReadyToRun build is a publish of src/SampleApp: it cannot be combined with --app");
            }
            // From the tokens too: GetValue throws for a value that failed to parse, and Create refuses it in the same words.
            else if (CorePlan.Create(result.GetResult(appCpus) is { Tokens.Count: > 0 } cpusGiven ? cpusGiven.Tokens[^1].Value : CorePlan.DefaultSetting, cores, result.GetValue(connection) is not null).Refusal is { } refusal)
            {
                // A usage error: the machine cannot give the setting what it promises.
                result.AddError(refusal);
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var settings = new CompareSettings(
                Strategies, parse.GetValue(rtt)!, parse.GetValue(runs), parse.GetValue(burst), parse.GetValue(warmRequests), parse.GetValue(warmConnections),
                parse.GetValue(startup) == "block" ? "BlockUntilWarm" : "Background", parse.GetValue(output)!,
                parse.GetValue(readyToRun) ? [CompareSettings.ReadyToRun] : parse.GetValue(builds),
                CorePlan.Create(parse.GetValue(appCpus)!, cores, parse.GetValue(connection) is not null).Plan,
                parse.GetValue(afterReady));
            var functions = parse.GetValue(app) == "functions";
            settings = functions ? settings with { Strategies = FunctionsCompareRunner.Strategies } : settings;
            var appDll = functions ? FunctionsCompareRunner.DefaultAppFolder() : Path.GetFullPath(parse.GetValue(app) ?? SampleAppProcess.DefaultAppPath());
            var commandLine = "prewarm " + string.Join(' ', parse.Tokens.Select(t => t.Value.Contains(' ', StringComparison.Ordinal) ? $"\"{t.Value}\"" : t.Value));
            var result = await CompareSession.RunAsync(ui, settings, parse.GetValue(connection), appDll, commandLine, ct);
            await MarkdownReport.WriteAsync(result, settings.OutputDirectory, ct);
            await SvgChart.WriteAsync(result, settings.OutputDirectory, ct);
            ui.Write(ConsoleTable.Render(result));
            ui.MarkupLineInterpolated($"Report: [bold]{Path.Combine(settings.OutputDirectory, MarkdownReport.FileName)}[/]  chart: [bold]{Path.Combine(settings.OutputDirectory, SvgChart.FileName)}[/]");
            return LabApp.Ok;
        });
        return command;
    }

    /// <summary>Parses "all" or a whole number of cores, at least 1.</summary>
    private static string ParseAppCpus(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : CorePlan.DefaultSetting;
        if (text != CorePlan.All && !(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1))
        {
            result.AddError(CorePlan.Invalid(text));
        }

        return text;
    }

    /// <summary>Parses "jit,r2r": at least one, each known, no repeats, in the order given.</summary>
    private static string[] ParseBuilds(System.CommandLine.Parsing.ArgumentResult result) => CommonOptions.ParseList(
        result,
        part => (part is CompareSettings.Jit or CompareSettings.ReadyToRun, part),
        part => $"--builds takes jit and r2r, not '{part}'",
        "give at least one build, e.g. --builds jit,r2r");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
