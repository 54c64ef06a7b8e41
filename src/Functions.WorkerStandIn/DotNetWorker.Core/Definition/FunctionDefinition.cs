// Mirrors src/DotNetWorker.Core/Definition/FunctionDefinition.cs. Complete, like FunctionContext, so a test double
// compiles against the real type too. The app reads only Name.
using System.Collections.Immutable;

namespace Microsoft.Azure.Functions.Worker;

public abstract class FunctionDefinition
{
    public abstract ImmutableArray<FunctionParameter> Parameters { get; }

    public abstract string PathToAssembly { get; }

    public abstract string EntryPoint { get; }

    public abstract string Id { get; }

    public abstract string Name { get; }

    public abstract IImmutableDictionary<string, BindingMetadata> InputBindings { get; }

    public abstract IImmutableDictionary<string, BindingMetadata> OutputBindings { get; }
}
