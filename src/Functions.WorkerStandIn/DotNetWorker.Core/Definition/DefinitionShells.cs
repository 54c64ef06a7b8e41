// Mirrors the type declarations of src/DotNetWorker.Core/Definition/FunctionParameter.cs and BindingMetadata.cs.
// FunctionDefinition's signature needs the types; the app uses none of their members, so they are left out
// (FunctionParameter's constructors included: nothing here creates one).
namespace Microsoft.Azure.Functions.Worker;

public class FunctionParameter
{
    private FunctionParameter()
    {
    }
}

public abstract class BindingMetadata;
