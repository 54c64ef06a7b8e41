using System.CommandLine;
using System.Globalization;
using Npgsql;
using Prewarm.Lab.Probe;
using Prewarm.LocalPostgres.Network;
using Spectre.Console;

namespace Prewarm.Lab.Cli;

/// <summary><c>prewarm probe</c>: one cold connection taken apart, with advice.</summary>
internal static class ProbeCommand
{
    public static Command Create(IAnsiConsole ui)
    {
        var connection = CommonOptions.Connection();
        var timeout = CommonOptions.PositiveInt("--timeout", 10, "Seconds any one phase may take before the probe gives up on it.");
        var rtt = CommonOptions.BoundedInt("--rtt", 0, 0, "Probe through the lab's delay proxy with this many ms of added RTT (to see a remote database's shape locally).");
        var entra = new Option<bool>("--entra") { Description = "Authenticate with a Microsoft Entra ID token (AZURE_CLIENT_ID or az login), timed as its own phase, instead of a password." };
        var command = new Command("probe", "Take one cold connection apart: DNS, TCP, TLS, authentication, type loading, first and second query; estimate the RTT; advise.")
        {
            connection, timeout, rtt, entra,
        };
        command.SetAction(async (parse, ct) =>
        {
            var connectionString = parse.GetValue(connection);
            if (connectionString is not null)
            {
                DatabaseTarget.Parse(connectionString);
            }

            await using var database = connectionString is null ? await DatabaseTarget.OpenAsync(null, seed: false, ct) : null;
            var target = database?.ConnectionString ?? connectionString!;
            await using var proxy = parse.GetValue(rtt) > 0 ? StartProxy(target, parse.GetValue(rtt)) : null;
            if (proxy is not null)
            {
                target = new NpgsqlConnectionStringBuilder(target) { Host = "127.0.0.1", Port = proxy.EndPoint.Port }.ConnectionString;
            }

            var probe = new ColdConnectionProbe(target, TimeSpan.FromSeconds(parse.GetValue(timeout)), parse.GetValue(entra));
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

    private static NetworkProxy StartProxy(string connectionString, int rttMs)
    {
        var upstream = DatabaseTarget.Parse(connectionString);
        return NetworkProxy.Start(upstream.Host!, upstream.Port, TimeSpan.FromMilliseconds(rttMs));
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
            ui.MarkupLine(Inv($"RTT estimate: [bold]{rtt.TotalMilliseconds:0.00} ms[/] (median of 5 repeated SELECT 1 on an open connection)"));
        }

        foreach (var line in result.Advice)
        {
            ui.MarkupLine("• " + Markup.Escape(line));
        }
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
