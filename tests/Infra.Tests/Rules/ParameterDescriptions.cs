using Prewarm.Infra.Tests.Arm;

namespace Prewarm.Infra.Tests.Rules;

// Azure Verified Modules' convention: every parameter says whether it must be given. Checked in every module.
internal sealed class ParameterDescriptions() : InfraRule("param-description", Compiled.Template)
{
    public override IEnumerable<string> Check(Deployment deployment)
    {
        foreach (var template in deployment.Template.Templates)
        {
            foreach (var (name, parameter) in template.At("parameters").Properties())
            {
                var want = parameter.At("defaultValue") is null && parameter.At("nullable") is null ? "Required. " : "Optional. ";
                var description = parameter.Text("metadata", "description");
                if (description is null || !description.StartsWith(want, StringComparison.Ordinal))
                {
                    yield return $"param '{name}' needs @description('{want}…'), has {(description is null ? "none" : $"'{description}'")}";
                }
            }
        }
    }
}
