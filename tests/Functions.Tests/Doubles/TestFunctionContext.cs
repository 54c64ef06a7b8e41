using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Prewarm.Functions.Tests.Doubles;

/// <summary>
/// A test double of the worker's DefaultFunctionContext, for the fast in-process tests only: the real one exists only
/// inside the worker process, on an invocation the Functions host sends (FunctionContext is abstract). The end-to-end
/// tests (EndToEnd/) run the same code in the real worker under the test host. Holds what the app reads: the function's name, the services, the cancellation token and, for
/// HTTP invocations, the request's HttpContext under the key the real ASP.NET Core integration stores it under
/// ("HttpRequestContext", upstream's Constants.HttpContextKey, set by FunctionsHttpProxyingMiddleware).
/// </summary>
internal sealed class TestFunctionContext : FunctionContext
{
    public const string HttpContextKey = "HttpRequestContext";

    private readonly CancellationToken _cancellationToken;

    public TestFunctionContext(string functionName, IServiceProvider services, HttpContext? httpContext = null, CancellationToken cancellationToken = default)
    {
        FunctionDefinition = new TestFunctionDefinition(functionName);
        InstanceServices = services;
        _cancellationToken = cancellationToken;
        if (httpContext is not null)
        {
            Items[HttpContextKey] = httpContext;
        }
    }

    public override string InvocationId { get; } = Guid.NewGuid().ToString("N");

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext => throw new NotSupportedException("The app does not read the trace context.");

    public override BindingContext BindingContext => throw new NotSupportedException("The app does not read binding data.");

    public override RetryContext RetryContext => throw new NotSupportedException("The app does not read the retry context.");

    public override IServiceProvider InstanceServices { get; set; }

    public override FunctionDefinition FunctionDefinition { get; }

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => throw new NotSupportedException("The app uses no invocation feature.");

    public override CancellationToken CancellationToken => _cancellationToken;
}
