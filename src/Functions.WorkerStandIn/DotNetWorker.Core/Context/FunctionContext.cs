// Mirrors src/DotNetWorker.Core/Context/FunctionContext.cs (Microsoft.Azure.Functions.Worker.Core 2.x).
// Complete: every abstract member is declared, so a test double written against this compiles against the real type.
namespace Microsoft.Azure.Functions.Worker;

public abstract class FunctionContext
{
    public abstract string InvocationId { get; }

    public abstract string FunctionId { get; }

    public abstract TraceContext TraceContext { get; }

    public abstract BindingContext BindingContext { get; }

    public abstract RetryContext RetryContext { get; }

    public abstract IServiceProvider InstanceServices { get; set; }

    public abstract FunctionDefinition FunctionDefinition { get; }

    public abstract IDictionary<object, object> Items { get; set; }

    public abstract IInvocationFeatures Features { get; }

    public virtual CancellationToken CancellationToken { get; } = CancellationToken.None;
}
