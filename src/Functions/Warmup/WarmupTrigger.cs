using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

// Stands for the package Microsoft.Azure.Functions.Worker.Extensions.Warmup, which this machine's NuGet copy does not
// serve (NU1101). Upstream that package is this one class, with no [ExtensionInformation]: the host's warmup binding is
// built in, so no extension is loaded for it. Delete this file and reference the package once it can be restored.
// It derives directly from TriggerBindingAttribute because the SDK's metadata generator recognises triggers only so.
namespace Microsoft.Azure.Functions.Worker;

/// <summary>The warmup trigger: the host invokes the function named exactly <c>Warmup</c> when it adds an instance.</summary>
public sealed class WarmupTrigger : TriggerBindingAttribute
{
}
