using Prewarm.Lab.Cli;
using Prewarm.Lab.Compare;
using Prewarm.LocalPostgres;

namespace Prewarm.Lab.Tests;

/// <summary><c>--app-cpus</c>: what goes where, and the refusals on a machine too small to be honest about it.</summary>
public sealed class AppCpusTests
{
    private static string Unreachable => $"Host=127.0.0.1;Port={FreePort.Next()};Username=u;Password=p;Timeout=3";

    [Fact]
    public void OneCore_GivesTheAppTheFirstCore_AndTheDatabaseTheRest()
    {
        var (plan, refusal) = CorePlan.Create("1", [0, 1, 2], externalDatabase: false);

        Assert.Null(refusal);
        Assert.Equal([0], plan!.AppCpus!);
        Assert.Equal([1, 2], plan.DatabaseCpus!);
        Assert.Equal(1, plan.AppCoreCount);
    }

    [Fact]
    public void All_PinsNothing()
    {
        var (plan, refusal) = CorePlan.Create("all", [0], externalDatabase: false);

        Assert.Null(refusal);
        Assert.Null(plan!.AppCpus);
        Assert.Null(plan.DatabaseCpus);
        Assert.Equal(1, plan.AppCoreCount);
    }

    [Fact]
    public void ExternalDatabase_PinsOnlyTheApp()
    {
        var (plan, _) = CorePlan.Create("2", [0, 1], externalDatabase: true);

        Assert.Equal([0, 1], plan!.AppCpus!);
        Assert.Null(plan.DatabaseCpus);
    }

    [Fact]
    public async Task Default_OnOneCore_IsRefused_NamingAppCpus()
    {
        var run = await LabRun.RunOnCoresAsync(["compare", "--runs", "1"], [0]);

        run.AssertOneLineFailure(LabApp.UsageError, "--app-cpus 1 needs at least 2 cores", "may use 1 here", "--app-cpus all");
    }

    [Fact]
    public async Task TwoCores_OnTwoCores_IsRefused_ForTheEmbeddedDatabase()
    {
        var run = await LabRun.RunOnCoresAsync(["compare", "--app-cpus", "2"], [0, 1]);

        run.AssertOneLineFailure(LabApp.UsageError, "--app-cpus 2 needs at least 3 cores");
    }

    [Fact]
    public async Task MoreCoresThanThereAre_WithAnExternalDatabase_IsRefused()
    {
        var run = await LabRun.RunOnCoresAsync(["compare", "--app-cpus", "3", "--connection", Unreachable], [0, 1]);

        run.AssertOneLineFailure(LabApp.UsageError, "--app-cpus 3 needs 3 cores");
    }

    [Theory]
    [InlineData("2")]
    [InlineData("all")]
    public async Task ExternalDatabase_OrAll_IsNotRefused_AndGoesOnToConnect(string appCpus)
    {
        // Past the core check, the next thing compare does is reach the database: that failure shows the check let it through.
        var run = await LabRun.RunOnCoresAsync(["compare", "--app-cpus", appCpus, "--connection", Unreachable, "--runs", "1"], [0, 1]);

        run.AssertOneLineFailure(LabApp.Failed, "database unreachable");
    }
}
