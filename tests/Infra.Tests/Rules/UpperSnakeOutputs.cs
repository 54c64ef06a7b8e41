using System.Text.RegularExpressions;
using Prewarm.Infra.Tests.Arm;

namespace Prewarm.Infra.Tests.Rules;

// azd turns the entry template's outputs into variables of the azd environment (azd env get-values): they are
// UPPER_SNAKE, and the ones that locate the app and its database are there.
internal sealed partial class UpperSnakeOutputs() : InfraRule("output-names", Compiled.Template)
{
    private static readonly string[] s_required =
        ["AZURE_LOCATION", "AZURE_FUNCTION_APP_NAME", "POSTGRES_HOST", "POSTGRES_DATABASE", "POSTGRES_USERNAME"];

    public override IEnumerable<string> Check(Deployment deployment)
    {
        var names = deployment.Template.Outputs.Select(o => o.Key).ToList();
        foreach (var name in names.Where(n => !UpperSnake().IsMatch(n)))
        {
            yield return $"output '{name}' must be UPPER_SNAKE for azd";
        }

        foreach (var name in s_required.Except(names))
        {
            yield return $"the entry template must output '{name}'";
        }
    }

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex UpperSnake();
}
