using System.Diagnostics;
using System.Text.Json;

namespace Prewarm.Functions.TestHost;

// The worker process, started the way the Functions host starts a dotnet-isolated worker: the executable and the
// assembly from worker.config.json, the host's four command-line options, the app folder as working directory and the
// app settings as environment variables.
internal sealed class WorkerProcess : IDisposable
{
    // Inherited variables that would steer the app towards some other configuration than the one the caller gave.
    private static readonly string[] s_clearedPrefixes = ["ConnectionStrings__", "Prewarm__", "FUNCTIONS_", "AzureFunctions", "AzureWebJobs", "PG"];

    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process) => _process = process;

    public Task<int> Exited => _exited.Task;

    public int Id => _process.Id;

    public static WorkerProcess Start(
        string appFolder, Uri hostUri, string workerId, string requestId, IReadOnlyDictionary<string, string?> settings, WorkerOutput output)
    {
        var (executable, workerPath) = ReadWorkerConfig(appFolder);
        var psi = new ProcessStartInfo(executable)
        {
            WorkingDirectory = appFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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

        foreach (var key in psi.Environment.Keys.Where(k => s_clearedPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            psi.Environment.Remove(key);
        }

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

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.Exited += (_, _) => worker.OnExited();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
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

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }

    public void Dispose() => _process.Dispose();

    private void OnExited()
    {
        int code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        _exited.TrySetResult(code);
    }

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
