using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;
using Prewarm.Lab.Compare;
using Prewarm.LocalPostgres.Processes;
using Spectre.Console;

namespace Prewarm.Lab.Cli;

/// <summary>One <c>compare</c>: the builds, the database, the cores (<c>--app-cpus</c>), the matrix, and what came of it.</summary>
internal static class CompareSession
{
    public static async Task<CompareResult> RunAsync(
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
            // Before any pinning: a publish is a build, not part of the experiment.
            ui.MarkupLine("Publishing the sample app ReadyToRun (dotnet publish, about a minute)…");
            appDlls[CompareSettings.ReadyToRun] = await ReadyToRunPublish.PublishAsync(settings.OutputDirectory, ct);
        }

        var plan = settings.CorePlan;
        var original = CpuAffinity.OfCurrentThread();
        try
        {
            if (plan.DatabaseCpus is { } databaseCpus)
            {
                // Every thread of the lab (proxy, client) to the database's cores before the server starts: the
                // postmaster inherits the mask through pg_ctl, and every backend inherits it from the postmaster.
                CpuAffinity.PinThisProcess(databaseCpus);
            }

            ui.MarkupLine(connectionString is null ? "Starting the embedded PostgreSQL and seeding the sample schema…" : "Connecting and seeding the sample schema…");
            await using var database = await DatabaseTarget.OpenAsync(connectionString, seed: true, ct);
            var serverCpus = await database.ServerCpusAsync(ct);
            if (functions && plan.AppCpus is { } appCpus)
            {
                // The lab plays the Functions host, which shares the instance's core with the worker; the worker it
                // starts inherits this mask. The server keeps the one it started with.
                CpuAffinity.PinThisProcess(appCpus);
            }

            var measured = await MeasureAsync(ui, settings, database.ConnectionString, appDlls, functions, ct);
            return new CompareResult(
                commandLine, settings, measured.Cells, measured.Calibrations, Describe(database), MachineDescription(plan), startedAt, clock.Elapsed,
                measured.Pinning is { } p ? p with { Database = serverCpus } : null);
        }
        finally
        {
            if (plan.AppCpus is not null)
            {
                // The lab may be running inside a test host: give every thread its cores back.
                CpuAffinity.PinThisProcess(original);
            }
        }
    }

    private static async Task<Measurements> MeasureAsync(
        IAnsiConsole ui, CompareSettings settings, string connectionString, Dictionary<string, string> appDlls, bool functions, CancellationToken ct)
    {
        var runner = new CompareRunner(settings, connectionString, appDlls);
        var functionsRunner = new FunctionsCompareRunner(settings, connectionString, appDlls[CompareSettings.Jit]);
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
        return measured!;
    }

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

    private static string MachineDescription(CorePlan plan)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return Inv($"{plan.Available.Count} cores for the lab ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
