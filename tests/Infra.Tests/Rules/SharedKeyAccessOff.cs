using System.Text.Json.Nodes;
using Prewarm.Infra.Tests.Arm;

namespace Prewarm.Infra.Tests.Rules;

// Storage is reached with the identity only; with shared keys on, anyone holding a key bypasses RBAC.
internal sealed class SharedKeyAccessOff() : InfraRule("shared-key", Compiled.Snapshot)
{
    public override IEnumerable<string> Check(Deployment deployment)
    {
        var accounts = deployment.Snapshot.OfType(ResourceTypes.Storage).ToList();
        if (accounts.Count == 0)
        {
            yield return "no storage account is deployed (the Functions host needs one)";
        }

        foreach (var account in accounts)
        {
            // Left out, the property means true: it must be written, and be false.
            if (account.At("properties", "allowSharedKeyAccess") is not JsonValue value || !value.TryGetValue<bool>(out var on) || on)
            {
                yield return $"storage account '{account.Text("name")}' must set properties.allowSharedKeyAccess: false";
            }
        }
    }
}
