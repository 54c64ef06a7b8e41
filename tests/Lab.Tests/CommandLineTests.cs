using Prewarm.Lab.Cli;
using Prewarm.LocalPostgres;
using Spectre.Console;

namespace Prewarm.Lab.Tests;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("compare", "--bogus")]
    [InlineData("compare", "--rtt", "0,x")]
    [InlineData("compare", "--rtt", "-5")]
    [InlineData("compare", "--runs", "0")]
    [InlineData("compare", "--burst", "many")]
    [InlineData("nonsense")]
    [InlineData("probe", "--timeout", "0")]
    [InlineData("compare", "--prewarm-startup", "later")]
    [InlineData("probe", "--rtt", "-1")]
    [InlineData("compare", "--builds", "jit,aot")]
    [InlineData("compare", "--ready-to-run", "--builds", "jit")]
    [InlineData("compare", "--builds", "r2r", "--app", "functions")]
    [InlineData("compare", "--app-cpus", "0")]
    [InlineData("compare", "--app-cpus", "many")]
    [InlineData("compare", "--after-ready", "-1")]
    public async Task BadArguments_ExitWithUsageErrorAndOneLine(params string[] args)
    {
        var run = await LabRun.RunAsync(args);

        run.AssertOneLineFailure(LabApp.UsageError, "error: ", "(see prewarm --help)");
    }

    [Fact]
    public void Rtt_ParsesCommaSeparatedList_WithoutRepeats()
    {
        var root = LabApp.Build(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) }));
        var parsed = root.Parse(["compare", "--rtt", "0, 2,20,2"]);

        Assert.Empty(parsed.Errors);
        var compare = root.Subcommands.Single(c => c.Name == "compare");
        var rtt = (System.CommandLine.Option<int[]>)compare.Options.Single(o => o.Name == "--rtt");
        Assert.Equal([0, 2, 20], parsed.GetValue(rtt)!);
    }

    [Theory]
    [InlineData("probe")]
    [InlineData("compare")]
    [InlineData("gate-bench")]
    public async Task MalformedConnectionString_FailsWithOneLine(string command)
    {
        var run = await LabRun.RunAsync([command, "--connection", "Host=localhost;No Such Keyword=1"]);

        run.AssertOneLineFailure(LabApp.Failed, "malformed connection string");
    }

    [Fact]
    public async Task Probe_RefusedPort_SaysWhichPhaseAndWhy()
    {
        var run = await LabRun.RunAsync(["probe", "--connection", $"Host=127.0.0.1;Port={FreePort.Next()};Username=u;Password=p", "--timeout", "5"]);

        run.AssertOneLineFailure(LabApp.Failed, "TCP connect", "refused");
    }

    [Fact]
    public async Task Probe_Entra_WithoutACredential_FailsAtTheTokenPhase_NamingTheFix()
    {
        // No Entra ID exists here: the credential chain finds nothing (no az, no AZURE_CLIENT_ID), which is the case to report.
        Assert.Null(Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"));
        var run = await LabRun.RunAsync(["probe", "--entra", "--connection", $"Host=127.0.0.1;Port={FreePort.Next()};Username=u", "--timeout", "20"]);

        run.AssertOneLineFailure(LabApp.Failed, "Entra ID token", "az login");
    }

    [Fact]
    public async Task Compare_UnreachableDatabase_FailsWithOneLine()
    {
        var run = await LabRun.RunAsync(["compare", "--connection", $"Host=127.0.0.1;Port={FreePort.Next()};Username=u;Password=p;Timeout=3", "--runs", "1"]);

        run.AssertOneLineFailure(LabApp.Failed, "database unreachable");
    }
}
