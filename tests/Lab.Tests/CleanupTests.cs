using System.Diagnostics;
using Prewarm.Lab.Cli;
using Prewarm.Lab.Compare;

namespace Prewarm.Lab.Tests;

public sealed class CleanupTests
{
    private const string AppDll = "Prewarm.SampleApp.dll";

    [Fact]
    public async Task SampleApp_IsKilled_WhenCancelledWhileWaitingForIt()
    {
        int pid;
        using var cancel = new CancellationTokenSource();
        using var client = new HttpClient();
        await using (var app = SampleAppProcess.Start(SampleAppProcess.DefaultAppPath(), "none", "Host=127.0.0.1;Port=9;Username=u;Password=p", 1))
        {
            pid = app.ProcessId;
            cancel.CancelAfter(TimeSpan.FromMilliseconds(50));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => app.WaitUntilAcceptingAsync(client, TimeSpan.FromSeconds(60), cancel.Token));
        }

        Assert.True(HasExited(pid));
    }

    [Fact]
    public async Task SampleApp_PortInUse_FailsWithTheAppsReason_AndExits()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        using var client = new HttpClient();
        await using var app = SampleAppProcess.Start(SampleAppProcess.DefaultAppPath(), "none", "Host=127.0.0.1;Port=9;Username=u;Password=p", 1, port: port);

        var e = await Assert.ThrowsAsync<LabException>(() => app.WaitUntilAcceptingAsync(client, TimeSpan.FromSeconds(60), CancellationToken.None));

        Assert.Contains("exited", e.Message, StringComparison.Ordinal);
        Assert.Contains("address already in use", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Compare_Cancelled_ExitsAsCancelled_AndLeavesNoAppRunning()
    {
        var output = Path.Combine(Path.GetTempPath(), "prewarm-lab-cancel-" + Guid.NewGuid().ToString("N"));
        using var cancel = new CancellationTokenSource();
        var run = LabRun.RunAsync(["compare", "--runs", "5", "--rtt", "20", "--burst", "2", "--out", output], cancel.Token);

        // Cancel once a sample app is up, i.e. mid-matrix, with the embedded server, a proxy and an app all running.
        var deadline = Stopwatch.StartNew();
        while (ChildProcesses.Running(AppDll).Count == 0 && !run.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(20);
        }

        await cancel.CancelAsync();
        var result = await run;

        Assert.Equal(LabApp.Cancelled, result.ExitCode);
        Assert.Empty(ChildProcesses.Running(AppDll));
        Assert.False(Directory.Exists(output));
    }

    private static bool HasExited(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
