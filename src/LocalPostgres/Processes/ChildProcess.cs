using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Prewarm.LocalPostgres.Processes;

/// <summary>
/// A child process of this one with its standard streams redirected, killed with its whole tree on dispose and, through
/// <see cref="OrphanGuard"/>, when this process exits without disposing it: a test or lab run must never leave an app,
/// a worker or a wedged initdb behind.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan KillBound = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private ChildProcess(Process process) => _process = process;

    /// <summary>The Stopwatch timestamp taken just before the process was started.</summary>
    public long StartedAt { get; private set; }

    /// <summary>The wall-clock time taken with <see cref="StartedAt"/>.</summary>
    public DateTimeOffset StartedAtUtc { get; private set; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Valid once <see cref="HasExited"/> is true.</summary>
    public int ExitCode => _process.ExitCode;

    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>Completes with the exit code the moment the process exits, before its redirected output is read to the end (-1 if the code is unknown).</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>
    /// Starts <paramref name="startInfo"/> with stdin, stdout and stderr redirected. Each output line goes to its
    /// callback, then one null when the stream ends (as <see cref="DataReceivedEventArgs.Data"/> does).
    /// </summary>
    public static ChildProcess Start(ProcessStartInfo startInfo, Action<string?>? output = null, Action<string?>? error = null)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => output?.Invoke(e.Data);
        process.ErrorDataReceived += (_, e) => error?.Invoke(e.Data);
        process.Exited += (_, _) => child.OnExited();
        child.StartedAtUtc = DateTimeOffset.UtcNow;
        child.StartedAt = Stopwatch.GetTimestamp();
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        OrphanGuard.Register(child);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Drops inherited environment variables whose names start with any of <paramref name="prefixes"/> (case-insensitive), so the child reads only what the caller sets.</summary>
    public static void ClearInherited(ProcessStartInfo startInfo, params string[] prefixes)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        foreach (var key in startInfo.Environment.Keys.Where(k => prefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            startInfo.Environment.Remove(key);
        }
    }

    /// <summary>Runs a program to completion, output and errors captured together, or kills it after <paramref name="timeout"/> and throws <see cref="TimeoutException"/>.</summary>
    internal static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        // A developer's PGPORT/PGDATA/PGHOST must not steer pg_ctl towards some other cluster.
        ClearInherited(psi, "PG");
        var output = new StringBuilder();
        await using var child = Start(psi, line => Append(output, line), line => Append(output, line));
        child.StandardInput.Close();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        try
        {
            // Also waits for the redirected output to reach its end, so the result holds every line.
            await child._process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            child.Kill();
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"'{fileName} {string.Join(' ', psi.ArgumentList)}' did not finish within {timeout.TotalSeconds:0}s. Output so far:\n{Snapshot(output)}");
        }

        return new ProcessResult(child.ExitCode, Snapshot(output));
    }

    /// <summary>Waits for the exit and for the redirected output to reach its end.</summary>
    public Task WaitForExitAsync(CancellationToken ct = default) => _process.WaitForExitAsync(ct);

    /// <summary>Kills the whole tree (SIGKILL); nothing happens if it already exited.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // It exited between the check and the kill.
        }
    }

    /// <summary>Kills what is still running and waits, bounded, for it to go. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        OrphanGuard.Unregister(this);
        Kill();
        try
        {
            using var bounded = new CancellationTokenSource(KillBound);
            await _process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // SIGKILL was sent; the kernel finishes the job.
        }

        _process.Dispose();
    }

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

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString().TrimEnd();
        }
    }
}
