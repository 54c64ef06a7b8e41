using System.Collections.Immutable;
using Microsoft.Azure.Functions.Worker;

namespace Prewarm.Functions.Tests.Doubles;

/// <summary>Stands in for the worker's function metadata, which the host sends at start-up; the gate reads only Name.</summary>
internal sealed class TestFunctionDefinition(string name) : FunctionDefinition
{
    public override ImmutableArray<FunctionParameter> Parameters => [];

    public override string PathToAssembly => typeof(FunctionsAppSetup).Assembly.Location;

    public override string EntryPoint => $"Prewarm.Functions.{name}";

    public override string Id => $"test-{name}";

    public override string Name => name;

    public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;

    public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
}
