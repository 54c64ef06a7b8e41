using System.CommandLine;
using System.Globalization;
using Prewarm.Lab.Probe;
using Spectre.Console;

namespace Prewarm.Lab.Cli;

/// <summary><c>prewarm probe</c>: one cold connection taken apart, with advice.</summary>
internal static class ProbeCommand
{
    public static Command Create(IAnsiConsole ui)
    {
        var connection = CommonOptions.Connection();
        var timeout = CommonOptions.PositiveInt("--timeout", 10, "Seconds any one phase may take before the probe gives up on it.");
        var command = new Command("probe", "Take one cold connection apart: DNS, TCP, TLS, authentication, type loading, first and second query; estimate the RTT; advise.")
        {
            connection, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            var connectionString = parse.GetValue(connection);
            if (connectionString is not null)
            {
                DatabaseTarget.Parse(connectionString);
            }

            await using var database = connectionString is null ? await DatabaseTarget.OpenAsync(null, seed: false, ct) : null;
            var probe = new ColdConnectionProbe(database?.ConnectionString ?? connectionString!, TimeSpan.FromSeconds(parse.GetValue(timeout)));
            var result = await probe.RunAsync(ct);
            Print(ui, result);
            if (result.FailedPhase is not null)
            {
                throw new LabException($"probe failed at {result.FailedPhase}: {result.Failure}");
            }

            return LabApp.Ok;
        });
        return command;
    }

    private static void Print(IAnsiConsole ui, ProbeResult result)
    {
        if (result.Phases.Count == 0)
        {
            return;
        }

        var table = new Table().Title("one cold connection").AddColumn("phase").AddColumn(new TableColumn("ms").RightAligned()).AddColumn("how");
        foreach (var phase in result.Phases)
        {
            table.AddRow(Markup.Escape(phase.Name), Inv($"{phase.Duration.TotalMilliseconds:0.00}"), Markup.Escape(phase.How));
        }

        ui.Write(table);
        if (result.RttEstimate is { } rtt)
        {
            ui.MarkupLine(Inv($"RTT estimate: [bold]{rtt.TotalMilliseconds:0.00} ms[/] (the smallest one-round-trip step: TCP connect, SSLRequest, GSSENCRequest, or a repeated SELECT 1)"));
        }

        foreach (var line in result.Advice)
        {
            ui.MarkupLine("• " + Markup.Escape(line));
        }
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
