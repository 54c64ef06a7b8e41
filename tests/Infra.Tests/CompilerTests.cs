using Prewarm.Infra.Tests.Bicep;

namespace Prewarm.Infra.Tests;

// The real compiler and linter over infra/bicep, with infra/bicep/bicepconfig.json. Errors and warnings both fail.
[Collection(MainTemplateGroup.Name)]
public sealed class CompilerTests(MainTemplate main)
{
    [Fact]
    public void Build_MainTemplate_HasNoErrorsOrWarnings()
    {
        var build = main.For(MainTemplate.DefaultPlan).Build;

        Assert.True(build.IsClean, build.ToString());
    }

    [Theory]
    [MemberData(nameof(MainTemplate.PlanKinds), MemberType = typeof(MainTemplate))]
    public void Snapshot_MainTemplate_HasNoErrorsOrWarnings(string planKind)
    {
        var snapshot = main.For(planKind).SnapshotRun;

        Assert.True(snapshot.IsClean, snapshot.ToString());
    }

    [Fact]
    public async Task Lint_EveryTemplate_HasNoErrorsOrWarnings()
    {
        var lint = await BicepCli.RunAsync("lint", "--pattern", "infra/bicep/**/*.bicep");

        Assert.True(lint.IsClean, lint.ToString());
    }

    // The checks above can fail: a linter warning alone makes a run unclean.
    [Fact]
    public async Task Lint_UnusedParameter_IsAProblem()
    {
        var lint = await BicepCli.RunAsync(
            "lint", Path.Combine(Repository.Fixtures, "Compiler", "unused-param.bicep"),
            "--config", Path.Combine(Repository.Infra, "bicepconfig.json"));

        Assert.Equal(0, lint.ExitCode);
        Assert.False(lint.IsClean);
        Assert.Contains(lint.Problems, p => p.Contains("Warning no-unused-params", StringComparison.Ordinal));
    }

    // Azure's type data may be wrong, so the compiler only warns on a property of the wrong type: here that fails too.
    [Fact]
    public async Task Build_PropertyOfTheWrongType_IsAProblem()
    {
        var build = await BicepCli.RunAsync("build", Path.Combine(Repository.Fixtures, "Compiler", "type-mismatch.bicep"), "--stdout");

        Assert.False(build.IsClean);
        Assert.Contains(build.Problems, p => p.Contains("Warning BCP036", StringComparison.Ordinal));
    }
}
