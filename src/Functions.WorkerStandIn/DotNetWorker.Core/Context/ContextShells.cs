// Mirrors the type declarations of src/DotNetWorker.Core/Context/TraceContext.cs, BindingContext.cs and
// RetryContext.cs. FunctionContext's signature needs the types; the app uses none of their members, so they are left out.
namespace Microsoft.Azure.Functions.Worker;

public abstract class TraceContext;

public abstract class BindingContext;

public abstract class RetryContext;
