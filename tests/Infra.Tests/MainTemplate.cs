using Prewarm.Infra.Tests.Arm;
using Prewarm.Infra.Tests.Bicep;

namespace Prewarm.Infra.Tests;

/// <summary>
/// infra/bicep/main.bicep compiled once per test run: built once (the ARM JSON does not depend on parameters) and
/// snapshotted for each hosting plan it supports.
/// </summary>
public sealed class MainTemplate : IAsyncLifetime
{
    public const string DefaultPlan = "FlexConsumption";

    public static TheoryData<string> PlanKinds { get; } = new(DefaultPlan, "ElasticPremium");

    private readonly Dictionary<string, Deployment> _byPlan = [];

    internal Deployment For(string planKind) => _byPlan[planKind];

    public async Task InitializeAsync()
    {
        foreach (var planKind in PlanKinds)
        {
            _byPlan[planKind] = await Deployment.CompileAsync(Repository.MainTemplate, $"main-{planKind}", new Dictionary<string, string>
            {
                ["environmentName"] = "'prewarm-ci'",
                ["location"] = $"'{Deployment.Location}'",
                ["planKind"] = $"'{planKind}'",
            }, planKind == DefaultPlan ? Compiled.Template | Compiled.Snapshot : Compiled.Snapshot);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class MainTemplateGroup : ICollectionFixture<MainTemplate>
{
    public const string Name = "main template";
}
