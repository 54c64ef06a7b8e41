using Prewarm.Infra.Tests.Arm;

namespace Prewarm.Infra.Tests.Rules;

// PostgreSQL takes Entra ID tokens only: no password auth, no administrator login, the managed identity as the Entra
// administrator, and TLS required (a token on the wire is a credential).
internal sealed class EntraOnlyPostgres() : InfraRule("entra-only", Compiled.Snapshot)
{
    public override IEnumerable<string> Check(Deployment deployment)
    {
        var snapshot = deployment.Snapshot;
        var servers = snapshot.OfType(ResourceTypes.PostgresServer).ToList();
        var admins = snapshot.OfType(ResourceTypes.PostgresAdministrator).ToList();
        if (servers.Count == 0)
        {
            yield return "no PostgreSQL Flexible Server is deployed";
        }
        else if (admins.Count == 0)
        {
            yield return "no Entra administrator (flexibleServers/administrators): nobody could log in";
        }

        foreach (var server in servers)
        {
            var name = server.Text("name");
            if (server.Text("properties", "authConfig", "passwordAuth") != "Disabled")
            {
                yield return $"server '{name}': properties.authConfig.passwordAuth must be 'Disabled'";
            }

            if (server.Text("properties", "authConfig", "activeDirectoryAuth") != "Enabled")
            {
                yield return $"server '{name}': properties.authConfig.activeDirectoryAuth must be 'Enabled'";
            }

            foreach (var key in (string[])["administratorLogin", "administratorLoginPassword"])
            {
                if (server.At("properties", key) is not null)
                {
                    yield return $"server '{name}': no properties.{key}, the server is Entra-only";
                }
            }
        }

        foreach (var admin in admins.Where(a => a.Text("properties", "principalType") != "ServicePrincipal"))
        {
            yield return $"Entra administrator '{admin.Text("name")}' must be the managed identity (principalType 'ServicePrincipal')";
        }

        foreach (var config in snapshot.OfType(ResourceTypes.PostgresConfiguration)
                     .Where(c => c.Text("name")?.EndsWith("/require_secure_transport", StringComparison.Ordinal) == true))
        {
            if (!string.Equals(config.Text("properties", "value"), "ON", StringComparison.OrdinalIgnoreCase))
            {
                yield return $"'{config.Text("name")}' must be 'ON'";
            }
        }
    }
}
