// Mirrors src/DotNetWorker.Core/Pipeline/IFunctionsWorkerMiddleware.cs.
namespace Microsoft.Azure.Functions.Worker.Middleware;

public interface IFunctionsWorkerMiddleware
{
    Task Invoke(FunctionContext context, FunctionExecutionDelegate next);
}
