// Mirrors the type declaration of src/DotNetWorker.Core/Context/Features/IInvocationFeatures.cs.
// FunctionContext.Features needs the type; the app uses none of its members (Get<T>, Set<T>), so they are left out.
namespace Microsoft.Azure.Functions.Worker;

public interface IInvocationFeatures : IEnumerable<KeyValuePair<Type, object>>;
