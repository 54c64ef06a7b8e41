// Mirrors src/DotNetWorker.Core/Pipeline/FunctionExecutionDelegate.cs.
namespace Microsoft.Azure.Functions.Worker.Middleware;

public delegate Task FunctionExecutionDelegate(FunctionContext context);
