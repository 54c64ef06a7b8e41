using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Prewarm.Functions.Worker;

// Stands for the attribute of Microsoft.Azure.Functions.Worker.Extensions.Warmup, which the NuGet copy this was built
// against does not serve (NU1101). Upstream that package is this one class, with no [ExtensionInformation]: the host's
// warmup binding is built in, so no extension is loaded for it. The SDK's metadata generator names the binding after
// the attribute's class name ("warmupTrigger") and recognises triggers by their base class, TriggerBindingAttribute,
// so this class gives the same functions.metadata. Internal, in this package's namespace: an app that also references
// the real package sees only Microsoft.Azure.Functions.Worker.WarmupTrigger, so no duplicate type (CS0433) and no
// ambiguous name (CS0104) can arise.
[AttributeUsage(AttributeTargets.Parameter)]
internal sealed class WarmupTrigger : TriggerBindingAttribute
{
}
