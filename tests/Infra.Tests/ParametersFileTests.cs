using System.Text.RegularExpressions;
using Prewarm.Infra.Tests.Bicep;

namespace Prewarm.Infra.Tests;

// infra/bicep/main.parameters.json is what azd deploys with. The Bicep CLI builds .bicepparam files only, so the
// JSON file is turned into one (bicep decompile-params, bound to main.bicep) and built: unknown, missing or
// ill-typed parameters are compiler errors. azd's ${VAR} and ${VAR=default} placeholders are substituted first,
// as azd does, with the values a CI environment would have.
public sealed partial class ParametersFileTests
{
    private static readonly Dictionary<string, string> s_environment = new()
    {
        ["AZURE_ENV_NAME"] = "prewarm-ci",
        ["AZURE_LOCATION"] = "eastus2",
    };

    [Theory]
    [MemberData(nameof(MainTemplate.PlanKinds), MemberType = typeof(MainTemplate))]
    public async Task ParametersFile_MatchesMainTemplate(string planKind)
    {
        var environment = new Dictionary<string, string>(s_environment) { ["PREWARM_PLAN_KIND"] = planKind };

        var build = await BuildParamsAsync(Path.Combine(Repository.Infra, "main.parameters.json"), $"params-{planKind}", environment);

        Assert.True(build.IsClean, build.ToString());
    }

    [Fact]
    public async Task ParametersFile_WithAMisspelledParameter_IsAnError()
    {
        var build = await BuildParamsAsync(Path.Combine(Repository.Fixtures, "Compiler", "misspelled.parameters.json"), "params-misspelled", s_environment);

        Assert.False(build.IsClean);
        Assert.Contains(build.Problems, p => p.Contains("planKnd", StringComparison.Ordinal));
    }

    // The placeholders keep their defaults when the variable is unset, like azd; a placeholder with neither fails here.
    [Fact]
    public void Substitute_UsesTheDefault_WhenTheVariableIsUnset()
    {
        var text = Substitute("""{ "a": "${AZURE_ENV_NAME}", "b": "${PREWARM_PLAN_KIND=FlexConsumption}" }""", s_environment);

        Assert.Equal("""{ "a": "prewarm-ci", "b": "FlexConsumption" }""", text);
        Assert.Throws<KeyNotFoundException>(() => Substitute("${NOT_SET}", s_environment));
    }

    private static async Task<BicepRun> BuildParamsAsync(string jsonFile, string label, Dictionary<string, string> environment)
    {
        var dir = Path.Combine(Repository.Output, label);
        Directory.CreateDirectory(dir);
        var substituted = Path.Combine(dir, "main.parameters.json");
        await File.WriteAllTextAsync(substituted, Substitute(await File.ReadAllTextAsync(jsonFile), environment));

        var decompile = await BicepCli.RunAsync("decompile-params", substituted, "--bicep-file", Repository.MainTemplate, "--force");
        Assert.True(decompile.ExitCode == 0, decompile.ToString());

        return await BicepCli.RunAsync("build-params", Path.ChangeExtension(substituted, ".bicepparam"), "--stdout");
    }

    private static string Substitute(string text, Dictionary<string, string> environment) =>
        Placeholder().Replace(text, m =>
            environment.TryGetValue(m.Groups["name"].Value, out var value) ? value
            : m.Groups["default"].Success ? m.Groups["default"].Value
            : throw new KeyNotFoundException($"${{{m.Groups["name"].Value}}} has no value and no default"));

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(=(?<default>[^}]*))?\}")]
    private static partial Regex Placeholder();
}
