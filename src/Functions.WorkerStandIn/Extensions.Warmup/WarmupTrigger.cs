// Mirrors extensions/Worker.Extensions.Warmup/src/WarmupTrigger.cs (no Attribute suffix upstream either).
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

public sealed class WarmupTrigger : TriggerBindingAttribute
{
}
