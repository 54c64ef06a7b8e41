using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prewarm.Functions.TestHost.Rpc;
using Prewarm.LocalPostgres.Processes;

namespace Prewarm.Functions.TestHost;

/// <summary>
/// Runs the real isolated worker of a Functions app the way the Azure Functions host does, playing the host's side of
/// the FunctionRpc protocol: an h2c gRPC server on 127.0.0.1, the worker started with the host's command line, then
/// StartStream, WorkerInit, function metadata and one FunctionLoadRequest per function. <see cref="StartAsync"/>
/// returns once every function is loaded; invocations follow. Every wait is bounded; a worker that crashes, never
/// opens its stream or answers with a failure ends in a one-line <see cref="WorkerStartException"/>.
/// </summary>
public sealed partial class FunctionsTestHost : IAsyncDisposable
{
    private static readonly TimeSpan s_terminateGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_stopBound = TimeSpan.FromSeconds(10);

    private readonly WorkerLaunch _launch;
    private readonly WebApplication _server;
    private readonly WorkerOutput _output;
    private readonly WorkerStream _stream;
    private readonly HttpClient _http = new(new ConnectRetryHandler(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Dictionary<string, LoadedFunction> _functions = new(StringComparer.Ordinal);
    private WorkerProcess? _worker;
    private int _disposed;

    private FunctionsTestHost(WorkerLaunch launch, WebApplication server, WorkerOutput output, WorkerStream stream)
    {
        _launch = launch;
        _server = server;
        _output = output;
        _stream = stream;
        RoutePrefix = ReadRoutePrefix(launch.AppFolder);
    }

    /// <summary>The worker's ASP.NET Core endpoint, from its HttpUri capability; null when the app has no HTTP integration.</summary>
    public Uri? HttpUri { get; private set; }

    /// <summary>host.json's extensions.http.routePrefix ("api" unless set), as the host prefixes HTTP routes.</summary>
    public string RoutePrefix { get; }

    /// <summary>The names of the functions the worker reported and loaded.</summary>
    public IReadOnlyCollection<string> Functions => _functions.Keys;

    /// <summary>When each start-up step ended, as <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public WorkerTimeline Timeline { get; } = new();

    /// <summary>The worker's process id.</summary>
    public int ProcessId => _worker?.Id ?? 0;

    /// <summary>The RpcLog messages the worker sent, in order, as "[Level] category: message".</summary>
    public IReadOnlyList<string> RpcLogs => _output.RpcLogs;

    /// <summary>The worker's last output (console and RpcLog) on one line.</summary>
    public string LastOutput => _output.Tail();

    /// <summary>Starts the server and the worker, and returns once the worker has loaded every function.</summary>
    public static async Task<FunctionsTestHost> StartAsync(WorkerLaunch launch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var output = new WorkerOutput();
        var stream = new WorkerStream(output);
        var server = await StartServerAsync(stream, cancellationToken).ConfigureAwait(false);
        var host = new FunctionsTestHost(launch, server, output, stream);
        OrphanGuard.Register(host);
        try
        {
            await host.StartWorkerAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends WorkerTerminate, waits (bounded) for the worker to exit, kills it if it does not, stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        OrphanGuard.Unregister(this);
        if (_worker is { } worker)
        {
            // WorkerTerminate asks the worker to stop itself; one that never opened its stream cannot be asked.
            var terminated = !worker.Exited.IsCompleted && _stream.StartStream.IsCompletedSuccessfully && !_stream.Closed.IsCompleted
                && await TrySendTerminateAsync().ConfigureAwait(false);
            if (!terminated || !await worker.WaitForExitAsync(s_stopBound).ConfigureAwait(false))
            {
                worker.Kill();
                await worker.WaitForExitAsync(s_stopBound).ConfigureAwait(false);
            }

            await worker.DisposeAsync().ConfigureAwait(false);
        }

        using (var stopBound = new CancellationTokenSource(s_stopBound))
        {
            try
            {
                await _server.StopAsync(stopBound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections that did not close in time are aborted by the dispose below.
            }
        }

        await _server.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    private async Task<bool> TrySendTerminateAsync()
    {
        using var terminateBound = new CancellationTokenSource(s_terminateGrace);
        try
        {
            var terminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(s_terminateGrace) };
            await _stream.SendAsync(new StreamingMessage { RequestId = NewId(), WorkerTerminate = terminate }, terminateBound.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or Grpc.Core.RpcException)
        {
            return false; // The worker is going or gone; the kill covers it.
        }
    }

    private static async Task<WebApplication> StartServerAsync(WorkerStream stream, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        // h2c on loopback, as the host listens for its workers. Port 0: the kernel picks a free port at bind time,
        // so there is no window in which another process could take it.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc =>
        {
            // The worker is started with --functions-grpc-max-message-length 2147483647, as the host starts it.
            grpc.MaxReceiveMessageSize = int.MaxValue;
            grpc.MaxSendMessageSize = int.MaxValue;
        });
        builder.Services.AddSingleton(stream);
        var server = builder.Build();
        server.MapGrpcService<FunctionRpcService>();
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    private async Task StartWorkerAsync(CancellationToken cancellationToken)
    {
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The test host's gRPC server has no address.");
        var hostUri = new Uri(address.EndsWith('/') ? address : address + "/");
        var workerId = NewId();
        Timeline.Started = Stopwatch.GetTimestamp();
        _worker = WorkerProcess.Start(_launch.AppFolder, hostUri, workerId, requestId: NewId(), _launch.Settings, _output);

        var startedAs = await BoundedAsync(_stream.StartStream, _launch.StartStreamBound, "StartStream", cancellationToken).ConfigureAwait(false);
        Timeline.StartStream = Stopwatch.GetTimestamp();
        if (startedAs != workerId)
        {
            throw await FailAsync($"the worker opened its stream as '{startedAs}', not as the worker id it was started with").ConfigureAwait(false);
        }

        var init = new WorkerInitRequest { HostVersion = "4.0.0-prewarm-test-host", WorkerDirectory = _launch.AppFolder, FunctionAppDirectory = _launch.AppFolder };
        await _stream.SendAsync(new StreamingMessage { RequestId = NewId(), WorkerInitRequest = init }, cancellationToken).ConfigureAwait(false);
        var initResponse = await BoundedAsync(_stream.InitResponse, _launch.InitBound, "WorkerInitResponse", cancellationToken).ConfigureAwait(false);
        Timeline.Initialized = Stopwatch.GetTimestamp();
        await ThrowIfFailedAsync(initResponse.Result, "WorkerInitRequest").ConfigureAwait(false);
        if (initResponse.Capabilities.TryGetValue("HttpUri", out var httpUri))
        {
            HttpUri = new Uri(httpUri);
        }

        var metadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _launch.AppFolder };
        await _stream.SendAsync(new StreamingMessage { RequestId = NewId(), FunctionsMetadataRequest = metadataRequest }, cancellationToken).ConfigureAwait(false);
        var metadata = await BoundedAsync(_stream.MetadataResponse, _launch.LoadBound, "FunctionMetadataResponse", cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(metadata.Result, "FunctionsMetadataRequest").ConfigureAwait(false);

        var loads = new List<(string Name, Task<FunctionLoadResponse> Response)>();
        foreach (var function in metadata.FunctionMetadataResults)
        {
            var id = string.IsNullOrEmpty(function.FunctionId) ? NewId() : function.FunctionId;
            _functions[function.Name] = new LoadedFunction(id, function.Name, function.RawBindings);
            // The host loads what the worker reported, with the worker's own metadata (fields this host's .proto
            // omits travel along: protobuf keeps unknown fields).
            loads.Add((function.Name, _stream.ExpectLoad(id)));
            await _stream.SendAsync(new StreamingMessage { RequestId = NewId(), FunctionLoadRequest = new FunctionLoadRequest { FunctionId = id, Metadata = function } }, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (name, response) in loads)
        {
            var loaded = await BoundedAsync(response, _launch.LoadBound, $"the FunctionLoadResponse of {name}", cancellationToken).ConfigureAwait(false);
            await ThrowIfFailedAsync(loaded.Result, $"FunctionLoadRequest for {name}").ConfigureAwait(false);
        }

        Timeline.Loaded = Stopwatch.GetTimestamp();
    }

    private async Task ThrowIfFailedAsync(StatusResult result, string request)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw await FailAsync($"the worker answered {request} with {result.Status}: {result.Exception?.Type} {result.Exception?.Message}").ConfigureAwait(false);
        }
    }

    // Waits for what the worker should send, but no longer than the bound, and not past the worker's exit or the end
    // of its stream: each of those ends the wait with the one-line failure at once.
    private async Task<T> BoundedAsync<T>(Task<T> awaited, TimeSpan bound, string waitingFor, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(bound);
        var worker = _worker?.Exited ?? Task.FromResult(-1);
        var deadline = Task.Delay(Timeout.Infinite, timeout.Token);
        var first = await Task.WhenAny(awaited, worker, _stream.Closed, deadline).ConfigureAwait(false);
        if (first == awaited)
        {
            return await awaited.ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (first == worker)
        {
            throw await FailAsync($"the worker exited with code {await worker.ConfigureAwait(false)} while the host waited for {waitingFor}").ConfigureAwait(false);
        }

        if (first == _stream.Closed)
        {
            throw await FailAsync($"the worker closed its stream while the host waited for {waitingFor}").ConfigureAwait(false);
        }

        throw await FailAsync($"no {waitingFor} from the worker within {bound.TotalSeconds:0.#} s").ConfigureAwait(false);
    }

    private async Task<WorkerStartException> FailAsync(string what)
    {
        int? exitCode = null;
        if (_worker is { } worker && worker.Exited.IsCompleted)
        {
            // Exited fires before the redirected output is read to its end; this waits for the rest of it.
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            exitCode = await worker.Exited.ConfigureAwait(false);
        }

        var line = $"Functions test host: {what}. Worker's last output: {_output.Tail()}";
        return new WorkerStartException(line.ReplaceLineEndings(" ")) { ExitCode = exitCode };
    }

    private static string ReadRoutePrefix(string appFolder)
    {
        var path = Path.Combine(appFolder, "host.json");
        if (!File.Exists(path))
        {
            return "api";
        }

        using var hostJson = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return hostJson.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            && prefix.GetString() is { } value
                ? value
                : "api";
    }

    private static string NewId() => Guid.NewGuid().ToString();
}
