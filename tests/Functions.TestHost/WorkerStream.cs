using System.Collections.Concurrent;
using Grpc.Core;
using Prewarm.Functions.TestHost.Rpc;

namespace Prewarm.Functions.TestHost;

// The host's end of the worker's one EventStream: what the worker sent, matched to what the host waits for, and the
// host's messages written one at a time (gRPC allows one writer per stream). RpcLog is drained as it arrives.
internal sealed class WorkerStream
{
    private readonly WorkerOutput _output;
    private readonly TaskCompletionSource<string> _startStream = NewSource<string>();
    private readonly TaskCompletionSource<WorkerInitResponse> _initResponse = NewSource<WorkerInitResponse>();
    private readonly TaskCompletionSource<FunctionMetadataResponse> _metadataResponse = NewSource<FunctionMetadataResponse>();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<FunctionLoadResponse>> _loads = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _invocations = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private IServerStreamWriter<StreamingMessage>? _writer;
    private int _opened;

    public WorkerStream(WorkerOutput output) => _output = output;

    public Task<string> StartStream => _startStream.Task;

    public Task<WorkerInitResponse> InitResponse => _initResponse.Task;

    public Task<FunctionMetadataResponse> MetadataResponse => _metadataResponse.Task;

    // Completes when the worker's stream ends, for whatever reason.
    public Task Closed => _closed.Task;

    public Task<FunctionLoadResponse> ExpectLoad(string functionId) => _loads.GetOrAdd(functionId, _ => NewSource<FunctionLoadResponse>()).Task;

    public Task<InvocationResponse> ExpectInvocation(string invocationId) => _invocations.GetOrAdd(invocationId, _ => NewSource<InvocationResponse>()).Task;

    public void ForgetInvocation(string invocationId) => _invocations.TryRemove(invocationId, out _);

    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> reader, IServerStreamWriter<StreamingMessage> writer, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _opened, 1) == 1)
        {
            // One worker, one stream: a second one is a bug in the worker or in this host.
            throw new Grpc.Core.RpcException(new Status(StatusCode.AlreadyExists, "This test host serves one worker stream."));
        }

        _writer = writer;
        try
        {
            while (await reader.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                Dispatch(reader.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or Grpc.Core.RpcException)
        {
            // The worker went away (exit, kill) or the host is shutting down: either way the stream is over.
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    public async Task SendAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        var writer = _writer ?? throw new InvalidOperationException("The worker has not opened its stream.");
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _startStream.TrySetResult(message.StartStream.WorkerId);
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                _initResponse.TrySetResult(message.WorkerInitResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                _metadataResponse.TrySetResult(message.FunctionMetadataResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                _loads.GetOrAdd(message.FunctionLoadResponse.FunctionId, _ => NewSource<FunctionLoadResponse>()).TrySetResult(message.FunctionLoadResponse);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryRemove(message.InvocationResponse.InvocationId, out var invocation))
                {
                    invocation.TrySetResult(message.InvocationResponse);
                }

                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                var log = message.RpcLog;
                var exception = log.Exception is { Message.Length: > 0 } e ? $" ({e.Type}: {e.Message})" : string.Empty;
                _output.AddRpcLog($"[{log.Level}] {log.Category}: {log.Message}{exception}");
                break;
            default:
                // Messages this host does not use (the worker's status and action responses): nothing waits for them.
                break;
        }
    }

    private static TaskCompletionSource<T> NewSource<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
