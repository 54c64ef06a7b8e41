// Mirrors extensions/Worker.Extensions.Abstractions/src/BindingAttribute.cs and TriggerBindingAttribute.cs
// (the trigger attributes below derive from them).
namespace Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

[AttributeUsage(AttributeTargets.Method)]
public abstract class BindingAttribute : Attribute
{
}

[AttributeUsage(AttributeTargets.Parameter)]
public abstract class TriggerBindingAttribute : BindingAttribute
{
}
