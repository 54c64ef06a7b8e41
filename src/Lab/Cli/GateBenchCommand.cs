using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prewarm.Lab.GateBench;
using Spectre.Console;

namespace Prewarm.Lab.Cli;

/// <summary><c>prewarm gate-bench</c>: the readiness gate's warm path, on a real warm coordinator.</summary>
internal static class GateBenchCommand
{
    public const double TargetNs = 100;

    public static Command Create(IAnsiConsole ui)
    {
        var connection = CommonOptions.Connection();
        var calls = CommonOptions.PositiveInt("--calls", 5_000_000, "Gate calls per round.");
        var rounds = CommonOptions.PositiveInt("--rounds", 15, "Rounds; the median round is reported.");
        var engine = new Option<string>("--engine")
        {
            Description = "bdn: BenchmarkDotNet in-process (needs a Release build); stopwatch: the lab's own harness, with allocations from GC.GetAllocatedBytesForCurrentThread.",
            DefaultValueFactory = _ => "bdn",
        };
        engine.AcceptOnlyFromAmong("bdn", "stopwatch");
        var command = new Command("gate-bench", "Microbenchmark WarmupCoordinator.WaitForWarmAsync when warm: ns and bytes allocated per call (target: ≤ 100 ns, 0 bytes).")
        {
            connection, calls, rounds, engine,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var database = await DatabaseTarget.OpenAsync(parse.GetValue(connection), seed: false, ct);
            var builder = Host.CreateApplicationBuilder([]);
            builder.Logging.ClearProviders();
            builder.AddPrewarmedNpgsql("postgres", settings =>
            {
                settings.ConnectionString = database.ConnectionString;
                settings.WarmConnections = 1;
                // Nothing but the gate may run during the measurement.
                settings.KeepAliveInterval = TimeSpan.Zero;
            });
            using var host = builder.Build();
            await host.StartAsync(ct);
            try
            {
                var coordinator = host.Services.GetRequiredService<WarmupCoordinator>();
                await coordinator.EnsureWarmAsync(ct);
                var result = parse.GetValue(engine) == "bdn"
                    ? GateBenchmarkDotNet.Run(coordinator.WaitForWarmAsync)
                    : GateBenchmark.Measure(coordinator.WaitForWarmAsync, parse.GetValue(calls), parse.GetValue(rounds));
                var verdict = result.MedianNsPerCall <= TargetNs && result.AllocatedBytesPerCall == 0 ? "[green]meets[/]" : "[red]misses[/]";
                if (IsDebugBuild(typeof(WarmupCoordinator).Assembly))
                {
                    ui.MarkupLine("[yellow]The library is a Debug build: these numbers are not representative; run with -c Release.[/]");
                }

                ui.MarkupLine(Inv($"WaitForWarmAsync (warm, {result.Engine}): median {result.MedianNsPerCall:0.0} ns/call (min {result.MinNsPerCall:0.0}, max {result.MaxNsPerCall:0.0}) over {result.Measurements}; {result.AllocatedBytesPerCall:0.###} bytes allocated/call; {verdict} the target (≤ {TargetNs} ns, 0 bytes)"));
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }

            return LabApp.Ok;
        });
        return command;
    }

    private static bool IsDebugBuild(System.Reflection.Assembly assembly) =>
        assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            .OfType<System.Diagnostics.DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
