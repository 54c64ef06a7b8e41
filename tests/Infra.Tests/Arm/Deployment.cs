using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Prewarm.Infra.Tests.Bicep;

namespace Prewarm.Infra.Tests.Arm;

/// <summary>
/// One Bicep entry file compiled by the real CLI twice over: <c>bicep build</c> (the ARM JSON, every module inlined)
/// and <c>bicep snapshot</c> (the resources that template predicts for the given parameters).
/// </summary>
internal sealed partial class Deployment
{
    // Placeholders for what only a real subscription has; the snapshot computes names and IDs from them.
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000c0de";
    public const string TenantId = "00000000-0000-0000-0000-0000000000aa";
    public const string Location = "eastus2";
    private const string ResourceGroup = "rg-infra-tests";

    private readonly ArmTemplate? _template;
    private readonly Snapshot? _snapshot;

    private Deployment(string label, BicepRun build, BicepRun snapshotRun, ArmTemplate? template, Snapshot? snapshot) =>
        (Label, Build, SnapshotRun, _template, _snapshot) = (label, build, snapshotRun, template, snapshot);

    public string Label { get; }

    public BicepRun Build { get; }

    public BicepRun SnapshotRun { get; }

    public ArmTemplate Template => _template ?? throw new InvalidOperationException($"{Label}: no compiled template: {Build}");

    public Snapshot Snapshot => _snapshot ?? throw new InvalidOperationException($"{Label}: no snapshot: {SnapshotRun}");

    /// <summary>Compiles <paramref name="bicepFile"/> into artifacts/infra-tests/<paramref name="label"/>.</summary>
    /// <param name="bicepFile">The entry template.</param>
    /// <param name="label">Unique per deployment: it names the output folder.</param>
    /// <param name="parameters">Bicep literals by parameter name, e.g. <c>planKind = 'FlexConsumption'</c>.</param>
    /// <param name="outputs">What to run: each CLI run costs seconds of CPU, so a fixture gets only what its rule reads.</param>
    public static async Task<Deployment> CompileAsync(
        string bicepFile, string label, IReadOnlyDictionary<string, string>? parameters = null, Compiled outputs = Compiled.Template | Compiled.Snapshot)
    {
        var dir = Path.Combine(Repository.Output, label);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        var templateFile = Path.Combine(dir, "template.json");
        var build = outputs.HasFlag(Compiled.Template) ? await BicepCli.RunAsync("build", bicepFile, "--outfile", templateFile) : BicepRun.Skipped("build");
        var template = build.ExitCode == 0 && File.Exists(templateFile) ? new ArmTemplate(Load(templateFile)) : null;
        if (!outputs.HasFlag(Compiled.Snapshot))
        {
            return new Deployment(label, build, BicepRun.Skipped("snapshot"), template, null);
        }

        var paramsFile = Path.Combine(dir, "deploy.bicepparam");
        await File.WriteAllTextAsync(paramsFile, ParamsFile(dir, bicepFile, parameters));
        string[] snapshotArgs =
        [
            "snapshot", paramsFile, "--subscription-id", SubscriptionId, "--tenant-id", TenantId,
            "--location", Location, "--deployment-name", label,
        ];
        // The CLI refuses a resource group for a subscription-scoped template and needs one for the others.
        if (TargetScope().Match(await File.ReadAllTextAsync(bicepFile)) is not { Success: true } scope || scope.Groups[1].Value == "resourceGroup")
        {
            snapshotArgs = [.. snapshotArgs, "--resource-group", ResourceGroup];
        }

        var snapshotRun = await BicepCli.RunAsync(snapshotArgs);
        var snapshotFile = Path.ChangeExtension(paramsFile, ".snapshot.json");
        var snapshot = snapshotRun.ExitCode == 0 && File.Exists(snapshotFile) ? new Snapshot(Load(snapshotFile)) : null;
        return new Deployment(label, build, snapshotRun, template, snapshot);
    }

    public override string ToString() => Label;

    [GeneratedRegex(@"^\s*targetScope\s*=\s*'(\w+)'", RegexOptions.Multiline)]
    private static partial Regex TargetScope();

    private static JsonObject Load(string file) =>
        JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new InvalidDataException($"{file} is not a JSON object");

    private static string ParamsFile(string dir, string bicepFile, IReadOnlyDictionary<string, string>? parameters)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"using '{Path.GetRelativePath(dir, bicepFile).Replace('\\', '/')}'\n");
        foreach (var (name, value) in parameters ?? new Dictionary<string, string>())
        {
            text.Append(CultureInfo.InvariantCulture, $"param {name} = {value}\n");
        }

        return text.ToString();
    }
}
