using System.Diagnostics;
using System.Globalization;
using Prewarm.Functions.TestHost;

namespace Prewarm.Functions.Tests.EndToEnd;

// The test host itself: a worker that never opens its stream must end in one line within the bound, and its process
// must be gone afterwards. The "worker" is a shell script named by a worker.config.json, as the host would start it.
public sealed class TestHostFailureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("prewarm-silent-worker-").FullName;

    [Fact]
    public async Task Start_WorkerNeverSendsStartStream_FailsInOneLineWithinTheBound_AndKillsIt()
    {
        File.WriteAllText(Path.Combine(_folder, "worker.config.json"), """{ "description": { "defaultExecutablePath": "/bin/sh", "defaultWorkerPath": "silent.sh" } }""");
        File.WriteAllText(Path.Combine(_folder, "silent.sh"), "echo \"listening nowhere\"\necho $$ > pid\nexec sleep 600\n");
        var launch = new WorkerLaunch(_folder, new Dictionary<string, string?>()) { StartStreamBound = TimeSpan.FromSeconds(2) };

        var error = await Assert.ThrowsAsync<WorkerStartException>(() => FunctionsTestHost.StartAsync(launch));

        Assert.Contains("no StartStream from the worker within 2 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("listening nowhere", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Null(error.ExitCode);
        var pid = int.Parse(File.ReadAllText(Path.Combine(_folder, "pid")).Trim(), CultureInfo.InvariantCulture);
        Assert.False(IsRunning(pid), $"the silent worker {pid} is still running");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
