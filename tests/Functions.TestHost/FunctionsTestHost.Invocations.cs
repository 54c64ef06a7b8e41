using System.Text;
using Prewarm.Functions.TestHost.Rpc;

namespace Prewarm.Functions.TestHost;

public sealed partial class FunctionsTestHost
{
    /// <summary>Invokes a non-HTTP function with its trigger's JSON payload (<see cref="TriggerInput"/>).</summary>
    public async Task<InvocationResult> InvokeAsync(string functionName, string triggerJson, CancellationToken cancellationToken = default)
    {
        var function = Function(functionName);
        var invocationId = NewId();
        var response = _stream.ExpectInvocation(invocationId);
        try
        {
            await SendInvocationAsync(function, invocationId, new TypedData { Json = triggerJson }, routeValues: null, cancellationToken).ConfigureAwait(false);
            return InvocationResult.From(await BoundedAsync(response, _launch.InvocationBound, $"the InvocationResponse of {functionName}", cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            _stream.ForgetInvocation(invocationId);
        }
    }

    /// <summary>
    /// Invokes an HTTP function as the host does with the ASP.NET Core integration: the request goes to the worker's
    /// own HTTP endpoint carrying x-ms-invocation-id, the InvocationRequest carries an empty RpcHttp, and the worker
    /// pairs them. <paramref name="pathAndQuery"/> is the route after the prefix, e.g. "customers/1/orders?since=...".
    /// </summary>
    public async Task<HttpInvocationResult> InvokeHttpAsync(
        string functionName, HttpMethod method, string pathAndQuery, string? jsonBody = null, CancellationToken cancellationToken = default)
    {
        var function = Function(functionName);
        var baseUri = HttpUri ?? throw new InvalidOperationException("The worker reported no HttpUri capability: the app has no ASP.NET Core integration.");
        var path = pathAndQuery.Split('?', 2)[0];
        var routeValues = function.MatchRoute(path)
            ?? throw new ArgumentException($"'{path}' does not match the route of {functionName}.", nameof(pathAndQuery));

        var invocationId = NewId();
        using var request = new HttpRequestMessage(method, new Uri(baseUri, $"{RoutePrefix}/{pathAndQuery.TrimStart('/')}"));
        request.Headers.Add("x-ms-invocation-id", invocationId);
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        }

        var response = _stream.ExpectInvocation(invocationId);
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var http = _http.SendAsync(request, abandon.Token);
        try
        {
            await SendInvocationAsync(function, invocationId, new TypedData { Http = new RpcHttp() }, routeValues, cancellationToken).ConfigureAwait(false);
            var invocation = InvocationResult.From(
                await BoundedAsync(response, _launch.InvocationBound, $"the InvocationResponse of {functionName}", cancellationToken).ConfigureAwait(false));
            using var httpResponse = await BoundedAsync(http, _launch.InvocationBound, $"the HTTP response of {functionName}", cancellationToken).ConfigureAwait(false);
            var body = await httpResponse.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var headers = httpResponse.Headers.Concat(httpResponse.Content.Headers)
                .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
            return new HttpInvocationResult(invocation, (int)httpResponse.StatusCode, headers, body);
        }
        finally
        {
            _stream.ForgetInvocation(invocationId);
            // On failure nothing waits for the request any more; cancel it rather than leave it running.
            await abandon.CancelAsync().ConfigureAwait(false);
            await http.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private Task SendInvocationAsync(
        LoadedFunction function, string invocationId, TypedData trigger, IReadOnlyDictionary<string, string>? routeValues, CancellationToken cancellationToken)
    {
        var invocation = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.Id,
            // The host always sends one; the worker builds the invocation's Activity from it.
            TraceContext = new RpcTraceContext(),
        };
        invocation.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = trigger });
        foreach (var (key, value) in routeValues ?? new Dictionary<string, string>())
        {
            // Route values are binding data, which the worker binds to the function's other parameters by name.
            invocation.TriggerMetadata[key] = new TypedData { String = value };
        }

        return _stream.SendAsync(new StreamingMessage { RequestId = NewId(), InvocationRequest = invocation }, cancellationToken);
    }

    private LoadedFunction Function(string functionName) =>
        _functions.TryGetValue(functionName, out var function)
            ? function
            : throw new ArgumentException($"The worker loaded no function '{functionName}' (it has {string.Join(", ", _functions.Keys)}).", nameof(functionName));
}
