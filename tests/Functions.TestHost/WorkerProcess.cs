using System.Diagnostics;
using System.Text.Json;
using Prewarm.LocalPostgres.Processes;

namespace Prewarm.Functions.TestHost;

// The worker process, started the way the Functions host starts a dotnet-isolated worker: the executable and the
// assembly from worker.config.json, the host's four command-line options, the app folder as working directory and the
// app settings as environment variables. ChildProcess kills it with the test run should nobody dispose it.
internal sealed class WorkerProcess : IAsyncDisposable
{
    // Inherited variables that would steer the app towards some other configuration than the one the caller gave.
    private static readonly string[] s_clearedPrefixes = ["ConnectionStrings__", "Prewarm__", "FUNCTIONS_", "AzureFunctions", "AzureWebJobs", "PG"];

    private readonly ChildProcess _process;

    private WorkerProcess(ChildProcess process) => _process = process;

    public Task<int> Exited => _process.Exited;

    public int Id => _process.Id;

    public static WorkerProcess Start(
        string appFolder, Uri hostUri, string workerId, string requestId, IReadOnlyDictionary<string, string?> settings, WorkerOutput output)
    {
        var (executable, workerPath) = ReadWorkerConfig(appFolder);
        var psi = new ProcessStartInfo(executable) { WorkingDirectory = appFolder };
        foreach (var argument in new[]
        {
            workerPath,
            "--functions-uri", hostUri.AbsoluteUri,
            "--functions-worker-id", workerId,
            "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", "2147483647",
        })
        {
            psi.ArgumentList.Add(argument);
        }

        ChildProcess.ClearInherited(psi, s_clearedPrefixes);

        // What the host sets for every dotnet-isolated worker; the worker refuses to load functions without the two
        // directories (GrpcFunctionDefinition reads them).
        psi.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        psi.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appFolder;
        psi.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appFolder;
        foreach (var (key, value) in settings)
        {
            // App settings reach the worker as environment variables; ':' is spelled '__' there.
            psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = ChildProcess.Start(psi, output.Add, output.Add);
        process.StandardInput.Close();
        return new WorkerProcess(process);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            // Also waits for the redirected output to be read to its end, so the last lines are in WorkerOutput.
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Kill() => _process.Kill();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static (string Executable, string WorkerPath) ReadWorkerConfig(string appFolder)
    {
        var path = Path.Combine(appFolder, "worker.config.json");
        if (!File.Exists(path))
        {
            throw new WorkerStartException($"Functions test host: no worker.config.json in {appFolder}; build the Functions app first.");
        }

        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var description = config.RootElement.GetProperty("description");
        var executable = description.TryGetProperty("defaultExecutablePath", out var e) ? e.GetString() : null;
        var workerPath = description.GetProperty("defaultWorkerPath").GetString()
            ?? throw new WorkerStartException($"Functions test host: {path} names no defaultWorkerPath.");
        return (string.IsNullOrEmpty(executable) ? "dotnet" : executable, workerPath);
    }
}
