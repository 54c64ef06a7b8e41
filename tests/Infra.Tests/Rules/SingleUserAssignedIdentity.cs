using Prewarm.Infra.Tests.Arm;

namespace Prewarm.Infra.Tests.Rules;

// One user-assigned identity does everything: the app runs as it, the deployment package is read with it, the role
// assignments grant to it and it is the PostgreSQL Entra administrator. A system-assigned identity would be a second
// principal with its own grants, and it would not survive the app being recreated.
internal sealed class SingleUserAssignedIdentity() : InfraRule("single-identity", Compiled.Snapshot)
{
    public override IEnumerable<string> Check(Deployment deployment)
    {
        var snapshot = deployment.Snapshot;
        var identities = snapshot.OfType(ResourceTypes.Identity).ToList();
        if (identities.Count != 1)
        {
            yield return $"exactly one user-assigned identity expected, found {identities.Count}";
        }

        var id = identities.FirstOrDefault()?.Text("id") ?? "(no identity)";
        var identityName = identities.FirstOrDefault()?.Text("name");
        foreach (var resource in snapshot.Resources.Where(r => r.At("identity") is not null))
        {
            var name = $"{resource.Text("type")} '{resource.Text("name")}'";
            if (resource.Text("identity", "type") != "UserAssigned")
            {
                yield return $"{name}: identity.type must be 'UserAssigned' (no system-assigned identity), got '{resource.Text("identity", "type")}'";
            }

            var assigned = resource.At("identity", "userAssignedIdentities").Properties().Select(p => p.Key).ToList();
            if (assigned.Count != 1 || assigned[0] != id)
            {
                yield return $"{name}: must run as the one identity {id}, has [{string.Join(", ", assigned)}]";
            }
        }

        var deploymentIdentity = snapshot.OfType(ResourceTypes.Site)
            .Select(s => (Site: s.Text("name"), Id: s.Text("properties", "functionAppConfig", "deployment", "storage", "authentication", "userAssignedIdentityResourceId")))
            .Where(s => s.Id is not null && s.Id != id);
        foreach (var (site, other) in deploymentIdentity)
        {
            yield return $"site '{site}': the deployment package must be read with the one identity, not {other}";
        }

        // Only run-time values stay expressions in a snapshot: a grant to the identity reads reference('<its id>').principalId.
        foreach (var grant in snapshot.OfType(ResourceTypes.RoleAssignment))
        {
            if (grant.Text("properties", "principalId") is not { } principal || !principal.Contains($"'{id}'", StringComparison.Ordinal))
            {
                yield return $"role assignment '{grant.Text("properties", "roleDefinitionId")}' grants to {grant.Text("properties", "principalId")}, not to the identity {id}";
            }
        }

        foreach (var admin in snapshot.OfType(ResourceTypes.PostgresAdministrator))
        {
            if (admin.Text("name")?.Contains($"'{id}'", StringComparison.Ordinal) != true || admin.Text("properties", "principalName") != identityName)
            {
                yield return $"PostgreSQL Entra administrator '{admin.Text("name")}' must be the identity {id} (named by its object ID, principalName '{identityName}')";
            }
        }
    }
}
