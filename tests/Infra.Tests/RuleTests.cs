using Prewarm.Infra.Tests.Arm;
using Prewarm.Infra.Tests.Bicep;
using Prewarm.Infra.Tests.Rules;

namespace Prewarm.Infra.Tests;

// Each project rule passes on main.bicep, for every plan where the plan matters, and catches its broken fixtures under Fixtures/Rules:
// small templates the real compiler accepts but that break the rule.
[Collection(MainTemplateGroup.Name)]
public sealed class RuleTests(MainTemplate main)
{
    /// <summary>Rule, fixture (a .bicep file, or a folder with a main.bicep) and a fragment of the violation it must cause.</summary>
    public static TheoryData<string, string, string> Fixtures { get; } = new()
    {
        { "entra-only", "password-auth.bicep", "passwordAuth must be 'Disabled'" },
        { "entra-only", "admin-password.bicep", "no properties.administratorLoginPassword" },
        { "entra-only", "tls-off.bicep", "require_secure_transport' must be 'ON'" },
        { "shared-key", "shared-key.bicep", "allowSharedKeyAccess: false" },
        { "always-ready", "no-always-ready.bicep", "always-ready instances for the 'http' group" },
        { "always-ready", "premium-no-minimum.bicep", "minimumElasticInstanceCount >= 1" },
        { "single-identity", "system-assigned.bicep", "no system-assigned identity" },
        { "single-identity", "unwired-identity", "not to the identity" },
        { "role-assignment-name", "role-name.bicep", "must include its roleDefinitionId" },
        { "role-assignment-name", "fixed-role-name.bicep", "must be guid(scope, principalId, roleDefinitionId)" },
        { "no-secrets", "list-keys.bicep", "listKeys() reads a secret" },
        { "no-secrets", "secure-output.bicep", "is securestring" },
        { "no-secrets", "instrumentation-key-output.bicep", "exposes a key, password or connection string" },
        { "no-secrets", "password-in-setting.bicep", "holds a credential ('Password=')" },
        { "output-names", "casing.bicep", "output 'functionAppName' must be UPPER_SNAKE" },
        { "app-settings", "missing-setting.bicep", "'AZURE_CLIENT_ID' is missing" },
        { "app-settings", "storage-connection-string.bicep", "'AzureWebJobsStorage' carries a key" },
        { "app-settings", "unknown-library-setting.bicep", "'Prewarm__postgres__WarmConections' is not a PrewarmSettings property" },
        { "param-description", "param-description.bicep", "param 'warmConnections' needs @description('Optional. …')" },
    };

    public static TheoryData<string, string> RulesByPlan
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var rule in InfraRules.All)
            {
                // The compiled ARM JSON is the same for every plan; the snapshot is not.
                foreach (var plan in rule.Reads.HasFlag(Compiled.Snapshot) ? MainTemplate.PlanKinds : [MainTemplate.DefaultPlan])
                {
                    data.Add(rule.Name, plan);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(RulesByPlan))]
    public void Rule_PassesOnMainTemplate(string rule, string planKind)
    {
        var violations = InfraRules.Named(rule).Check(main.For(planKind)).ToList();

        Assert.True(violations.Count == 0, $"{rule} on main.bicep ({planKind}):\n{string.Join('\n', violations)}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Rule_CatchesItsFixture(string rule, string fixture, string expected)
    {
        var file = Path.Combine(Repository.Fixtures, "Rules", fixture);
        var entry = Directory.Exists(file) ? Path.Combine(file, "main.bicep") : file;
        var check = InfraRules.Named(rule);
        var deployment = await Deployment.CompileAsync(entry, $"fixture-{Path.GetFileNameWithoutExtension(fixture)}", outputs: check.Reads);

        // A fixture the compiler rejects would prove nothing about the rule.
        var run = check.Reads == Compiled.Snapshot ? deployment.SnapshotRun : deployment.Build;
        Assert.True(run.ExitCode == 0, run.ToString());
        var violations = check.Check(deployment).ToList();
        Assert.True(
            violations.Any(v => v.Contains(expected, StringComparison.Ordinal)),
            $"{rule} on {fixture}: expected a violation containing \"{expected}\", got:\n{string.Join('\n', violations)}");
    }

    [Fact]
    public void EveryRule_HasAFixture()
    {
        var covered = Fixtures.Select(row => (string)row[0]).ToHashSet();

        Assert.All(InfraRules.All, rule => Assert.Contains(rule.Name, covered));
    }
}
