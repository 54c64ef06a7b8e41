using Prewarm.Infra.Tests.Arm;

namespace Prewarm.Infra.Tests.Rules;

// A role assignment's name must be the same on every redeployment, and differ per principal and role:
// guid(scope, principalId, roleDefinitionId). A fixed name fails on the second grant; a newGuid() one piles up
// duplicates. Checked in the compiled ARM JSON, where the name is still the guid(...) expression.
internal sealed class RoleAssignmentNames() : InfraRule("role-assignment-name", Compiled.Template)
{
    public override IEnumerable<string> Check(Deployment deployment)
    {
        foreach (var grant in deployment.Template.OfType(ResourceTypes.RoleAssignment))
        {
            var name = grant.Text("name") ?? "";
            if (!name.StartsWith("[guid(", StringComparison.Ordinal) || !name.EndsWith(")]", StringComparison.Ordinal))
            {
                yield return $"role assignment {name}: its name must be guid(scope, principalId, roleDefinitionId)";
                continue;
            }

            foreach (var part in (string[])["principalId", "roleDefinitionId"])
            {
                if (grant.Text("properties", part) is { } value && !name.Contains(Inner(value), StringComparison.Ordinal))
                {
                    yield return $"role assignment {name}: the guid() must include its {part} ({value})";
                }
            }
        }
    }

    // "[parameters('x')]" -> "parameters('x')", as it appears inside another expression; a literal becomes 'literal'.
    private static string Inner(string value) =>
        value.StartsWith('[') && value.EndsWith(']') ? value[1..^1] : $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}
