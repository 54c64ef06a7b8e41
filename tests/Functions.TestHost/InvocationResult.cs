using Prewarm.Functions.TestHost.Rpc;

namespace Prewarm.Functions.TestHost;

/// <summary>The worker's InvocationResponse: success, or the exception the function (or a middleware) threw.</summary>
/// <param name="Succeeded">The response's status is Success.</param>
/// <param name="Error">The exception's type and message when it failed, else null.</param>
public sealed record InvocationResult(bool Succeeded, string? Error)
{
    internal static InvocationResult From(InvocationResponse response) =>
        response.Result.Status == StatusResult.Types.Status.Success
            ? new InvocationResult(true, null)
            : new InvocationResult(false, $"{response.Result.Status}: {response.Result.Exception?.Type} {response.Result.Exception?.Message}".Trim());
}

/// <summary>An HTTP invocation: the response the client got from the worker, and the worker's InvocationResponse.</summary>
/// <param name="Invocation">The InvocationResponse.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Headers">Response and content headers, names case-insensitive.</param>
/// <param name="Body">The response body.</param>
public sealed record HttpInvocationResult(InvocationResult Invocation, int Status, IReadOnlyDictionary<string, string> Headers, string Body);
