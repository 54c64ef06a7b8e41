// Mirrors GetHttpContext of extensions/Worker.Extensions.Http.AspNetCore/src/FunctionContext/FunctionContextExtensions.cs,
// body included: it only reads FunctionContext.Items under the key upstream's FunctionsHttpProxyingMiddleware stores the
// request's HttpContext under (Constants.HttpContextKey, "HttpRequestContext"). Needs no host, so it behaves as upstream.
using Microsoft.AspNetCore.Http;

namespace Microsoft.Azure.Functions.Worker;

public static class FunctionContextExtensions
{
    public static HttpContext? GetHttpContext(this FunctionContext context)
    {
        if (context.Items.TryGetValue("HttpRequestContext", out var requestContext)
            && requestContext is HttpContext httpContext)
        {
            return httpContext;
        }

        return null;
    }
}
