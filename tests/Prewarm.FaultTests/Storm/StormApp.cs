using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Prewarm.FaultTests.Storm;

// The app each storm process runs: this test assembly started as `dotnet Prewarm.FaultTests.dll storm-app`, configured
// by environment variables exactly as a deployed app is (ConnectionStrings__postgres, Prewarm__postgres__*).
// Protocol on stdin/stdout, one line each: it prints "report <json>" once warm-up ends (unless told to serve at once), then answers "query" with
// "served" or "failed <error>" and "report" with the current report; end of stdin stops the host gracefully.
public static class StormApp
{
    public const string Verb = "storm-app";
    public const string ReportPrefix = "report ";

    public static async Task<int> Main(string[] args)
    {
        if (args is not [Verb])
        {
            await Console.Error.WriteLineAsync($"usage: Prewarm.FaultTests {Verb} (the test runner loads this assembly as a library)");
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddEnvironmentVariables();
        // The library's own log goes to stderr, which the test shows when a process does not answer as expected.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddPrewarmedNpgsql("postgres");
        using var host = builder.Build();
        await host.StartAsync();
        var coordinator = host.Services.GetRequiredService<WarmupCoordinator>();
        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();

        // StormApp__ServeAtOnce: answer from the start, as an instance that takes traffic while it warms (the fair-share
        // tests); otherwise print the first run's report before taking commands.
        if (!builder.Configuration.GetValue<bool>("StormApp:ServeAtOnce"))
        {
            await WriteReportAsync(await coordinator.EnsureWarmAsync());
        }

        while (await Console.In.ReadLineAsync() is { } command)
        {
            switch (command)
            {
                case "query":
                    await Console.Out.WriteLineAsync(await QueryAsync(coordinator, dataSource));
                    break;
                case "report":
                    await WriteReportAsync(coordinator.LastReport);
                    break;
                default:
                    await Console.Out.WriteLineAsync($"unknown {command}");
                    break;
            }

            await Console.Out.FlushAsync();
        }

        await host.StopAsync();
        return 0;
    }

    private static async Task<string> QueryAsync(WarmupCoordinator coordinator, NpgsqlDataSource dataSource)
    {
        if (!await coordinator.WaitForWarmAsync())
        {
            return $"rejected {coordinator.State}";
        }

        try
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync();
            return "served";
        }
        catch (Exception e)
        {
            return $"failed {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
        }
    }

    private static async Task WriteReportAsync(WarmupReport? report)
    {
        await Console.Out.WriteLineAsync(ReportPrefix + JsonSerializer.Serialize(report));
        await Console.Out.FlushAsync();
    }
}
