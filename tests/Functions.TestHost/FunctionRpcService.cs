using Grpc.Core;
using Prewarm.Functions.TestHost.Rpc;

namespace Prewarm.Functions.TestHost;

// AzureFunctionsRpcMessages.FunctionRpc/EventStream, the one call a worker makes: it opens the stream and the host
// talks to it over it until the end. The call lasts as long as the worker's stream does.
internal sealed class FunctionRpcService(WorkerStream stream) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(
        IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        stream.RunAsync(requestStream, responseStream, context.CancellationToken);
}
