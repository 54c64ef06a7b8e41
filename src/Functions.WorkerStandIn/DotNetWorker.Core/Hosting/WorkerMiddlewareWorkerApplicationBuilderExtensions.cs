// Mirrors UseMiddleware<T> of src/DotNetWorker.Core/Hosting/WorkerMiddlewareWorkerApplicationBuilderExtensions.cs
// (class MiddlewareWorkerApplicationBuilderExtensions). Upstream registers T as a singleton and adds it to the
// worker's invocation pipeline; there is no pipeline here, so it throws.
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Microsoft.Extensions.Hosting;

public static class MiddlewareWorkerApplicationBuilderExtensions
{
    public static IFunctionsWorkerApplicationBuilder UseMiddleware<T>(this IFunctionsWorkerApplicationBuilder builder)
        where T : class, IFunctionsWorkerMiddleware
        => throw StandIn.HostRequired("UseMiddleware<T>");
}
