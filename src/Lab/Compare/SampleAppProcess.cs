using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Prewarm.Lab.Cli;

namespace Prewarm.Lab.Compare;

/// <summary>One fresh process of the sample app on a free 127.0.0.1 port; disposing kills it.</summary>
internal sealed class SampleAppProcess : IAsyncDisposable
{
    // Last resort for an exit that skips the using blocks (an unhandled exception, a second Ctrl+C): no orphaned app keeps its port or its connections.
    private static readonly ConcurrentDictionary<Process, byte> s_running = new();

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _instanceId;

    static SampleAppProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in s_running.Keys)
        {
            Kill(process);
        }
    };

    private SampleAppProcess(Process process, Uri baseAddress, long startedAt, string instanceId)
    {
        _instanceId = instanceId;
        _process = process;
        BaseAddress = baseAddress;
        StartedAt = startedAt;
    }

    public Uri BaseAddress { get; }

    /// <summary>The Stopwatch timestamp taken just before the process was started.</summary>
    public long StartedAt { get; }

    /// <summary>The wall-clock time taken with <see cref="StartedAt"/>, against which the app's own timestamps are read.</summary>
    public DateTimeOffset StartedAtUtc { get; private init; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public static SampleAppProcess Start(
        string appDll, string strategy, string connectionString, int warmConnections, string startupMode = "Background", int? port = null)
    {
        port ??= FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
        };
        psi.ArgumentList.Add(appDll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(baseAddress.ToString());
        // Everything the app reads comes from here; an inherited ASPNETCORE_URLS or connection string must not leak in.
        foreach (var key in psi.Environment.Keys.Where(IsAppSetting).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["ConnectionStrings__postgres"] = connectionString;
        psi.Environment["SampleApp__Strategy"] = strategy;
        psi.Environment["SampleApp__WarmConnections"] = warmConnections.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["SampleApp__StartupMode"] = startupMode;
        var instanceId = Guid.NewGuid().ToString("N");
        psi.Environment["SampleApp__InstanceId"] = instanceId;
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = psi };
        var startedAtUtc = DateTimeOffset.UtcNow;
        var startedAt = Stopwatch.GetTimestamp();
        process.Start();
        s_running.TryAdd(process, 0);
        var app = new SampleAppProcess(process, baseAddress, startedAt, instanceId) { StartedAtUtc = startedAtUtc };
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Polls the DB-free <c>/ping</c> until it answers, so the first DB request goes out the moment the app accepts traffic.</summary>
    public async Task WaitUntilAcceptingAsync(HttpClient client, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var ping = new Uri(BaseAddress, "/ping");
        while (true)
        {
            if (_process.HasExited)
            {
                throw new LabException($"the sample app exited with code {_process.ExitCode} before accepting requests: {LastLine()}");
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new LabException($"the sample app did not accept requests within {timeout.TotalSeconds:0} s: {LastLine()}");
            }

            // Each attempt is short: something else holding the port may accept and never answer, and the exit check above must get its turn.
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                using var response = await client.GetAsync(ping, attempt.Token);
                // The app answers with the id it was started with: a 200 from some other server on a reused port is not our app.
                if (response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync(attempt.Token) == _instanceId)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // This attempt timed out; the loop checks the process and the deadline.
            }

            await Task.Delay(2, ct);
        }
    }

    /// <summary>The app's own reason, one line: the unhandled exception's message if it crashed, else its last output line.</summary>
    public string LastLine()
    {
        lock (_output)
        {
            var lines = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var reason = lines.FirstOrDefault(l => l.StartsWith("Unhandled exception.", StringComparison.Ordinal))
                ?? lines.LastOrDefault(l => l.Contains("Exception:", StringComparison.Ordinal) && !l.StartsWith("at ", StringComparison.Ordinal))
                ?? lines.LastOrDefault() ?? "(no output)";
            return reason.Length > 400 ? reason[..400] : reason;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGKILL was sent; the kernel finishes the job.
        }

        s_running.TryRemove(_process, out _);
        _process.Dispose();
    }

    /// <summary>Where the sample app was built: recorded at build time by Prewarm.Lab.csproj.</summary>
    public static string DefaultAppPath() =>
        typeof(SampleAppProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SampleAppPath")?.Value ?? "Prewarm.SampleApp.dll";

    private static bool IsAppSetting(string key) =>
        key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("SampleApp__", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("Prewarm__", StringComparison.OrdinalIgnoreCase);

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // Bounded: a chatty failing app must not grow the lab's memory without limit.
            if (_output.Length > 64 * 1024)
            {
                _output.Remove(0, _output.Length / 2);
            }

            _output.AppendLine(line);
        }
    }
}
