using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;
using Prewarm.Lab.Compare;
using Prewarm.Lab.Report;
using Spectre.Console;

namespace Prewarm.Lab.Cli;

/// <summary><c>prewarm compare</c>: none vs select1 vs prewarm, fresh processes, behind a delay proxy.</summary>
internal static class CompareCommand
{
    public static readonly string[] Strategies = ["none", "select1", "prewarm"];

    public static Command Create(IAnsiConsole ui)
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

        var command = new Command("compare", "Start the sample app fresh for each strategy (none, select1, prewarm) and added RTT; measure the first request, a first burst and the steady state; write a markdown report and an SVG chart.")
        {
            connection, rtt, runs, burst, warmRequests, warmConnections, startup, output, app, builds, readyToRun,
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
        });
        command.SetAction(async (parse, ct) =>
        {
            var settings = new CompareSettings(
                Strategies, parse.GetValue(rtt)!, parse.GetValue(runs), parse.GetValue(burst), parse.GetValue(warmRequests), parse.GetValue(warmConnections),
                parse.GetValue(startup) == "block" ? "BlockUntilWarm" : "Background", parse.GetValue(output)!,
                parse.GetValue(readyToRun) ? [CompareSettings.ReadyToRun] : parse.GetValue(builds));
            var functions = parse.GetValue(app) == "functions";
            settings = functions ? settings with { Strategies = FunctionsCompareRunner.Strategies } : settings;
            var appDll = functions ? FunctionsCompareRunner.DefaultAppFolder() : Path.GetFullPath(parse.GetValue(app) ?? SampleAppProcess.DefaultAppPath());
            var commandLine = "prewarm " + string.Join(' ', parse.Tokens.Select(t => t.Value.Contains(' ', StringComparison.Ordinal) ? $"\"{t.Value}\"" : t.Value));
            var result = await RunAsync(ui, settings, parse.GetValue(connection), appDll, commandLine, ct);
            await MarkdownReport.WriteAsync(result, settings.OutputDirectory, ct);
            await SvgChart.WriteAsync(result, settings.OutputDirectory, ct);
            ui.Write(ResultTable(result));
            ui.MarkupLineInterpolated($"Report: [bold]{Path.Combine(settings.OutputDirectory, MarkdownReport.FileName)}[/]  chart: [bold]{Path.Combine(settings.OutputDirectory, SvgChart.FileName)}[/]");
            return LabApp.Ok;
        });
        return command;
    }

    private static async Task<CompareResult> RunAsync(
        IAnsiConsole ui, CompareSettings settings, string? connectionString, string appDll, string commandLine, CancellationToken ct)
    {
        var functions = settings.Strategies.SequenceEqual(FunctionsCompareRunner.Strategies);
        if (!functions && !File.Exists(appDll))
        {
            throw new LabException($"the sample app is not built at {appDll}: run `dotnet build src/Lab` (it builds the app too) or pass --app");
        }

        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var appDlls = new Dictionary<string, string> { [CompareSettings.Jit] = appDll };
        if (settings.BuildList.Contains(CompareSettings.ReadyToRun))
        {
            ui.MarkupLine("Publishing the sample app ReadyToRun (dotnet publish, about a minute)…");
            appDlls[CompareSettings.ReadyToRun] = await ReadyToRunPublish.PublishAsync(settings.OutputDirectory, ct);
        }

        ui.MarkupLine(connectionString is null ? "Starting the embedded PostgreSQL and seeding the sample schema…" : "Connecting and seeding the sample schema…");
        await using var database = await DatabaseTarget.OpenAsync(connectionString, seed: true, ct);
        var runner = new CompareRunner(settings, database.ConnectionString, appDlls);
        var functionsRunner = new FunctionsCompareRunner(settings, database.ConnectionString, appDll);

        Measurements? measured = null;
        await ui.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("compare", maxValue: functions ? functionsRunner.TotalSteps : runner.TotalSteps);
                measured = await (functions ? (Func<Action<string>, CancellationToken, Task<Measurements>>)functionsRunner.RunAsync : runner.RunAsync)(
                    step =>
                    {
                        task.Increment(1);
                        task.Description = Markup.Escape(step);
                    },
                    ct);
            });

        return new CompareResult(
            commandLine, settings, measured!.Cells, measured.Calibrations, measured.Controls, Describe(database), MachineDescription(), startedAt, clock.Elapsed);
    }

    private static Table ResultTable(CompareResult result)
    {
        var table = new Table().Title("first request and first burst, relative to warm p50 (ms; medians over runs)");
        foreach (var column in new[] { "RTT", "strategy", "first", "warm p50", "first/warm", "burst p99", "burst/warm", "start→first", "warm-up" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var c in result.Settings.RttMs.SelectMany(r => result.Settings.Labels.Select(s => result.Cell(s, r))).OfType<CellResult>())
        {
            table.AddRow(
                Inv($"{c.RttMs} ms"), c.Strategy, Inv($"{c.FirstMedian:0.0}"), Inv($"{c.WarmP50:0.00}"), Inv($"{c.FirstRatio:0.00}x"),
                Inv($"{c.BurstP99:0.0}"), Inv($"{c.BurstRatio:0.00}x"), Inv($"{c.StartToFirstMedian:0}"), c.WarmupMedian is { } w ? Inv($"{w:0.0}") : "–");
        }

        return table;
    }

    /// <summary>Parses "jit,r2r": at least one, each known, no repeats, in the order given.</summary>
    private static string[] ParseBuilds(System.CommandLine.Parsing.ArgumentResult result) => CommonOptions.ParseList(
        result,
        part => (part is CompareSettings.Jit or CompareSettings.ReadyToRun, part),
        part => $"--builds takes jit and r2r, not '{part}'",
        "give at least one build, e.g. --builds jit,r2r");

    private static string Describe(DatabaseTarget database)
    {
        if (database.IsEmbedded)
        {
            return "embedded PostgreSQL (LocalPostgres: TLS, scram-sha-256, 127.0.0.1)";
        }

        // Never the password: host, port, database and SSL mode are what a reader needs.
        var b = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        // Npgsql's default database is the user's name.
        return Inv($"{b.Host}:{b.Port}/{b.Database ?? b.Username} (SSL Mode {b.SslMode})");
    }

    internal static string MachineDescription()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return Inv($"{Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
