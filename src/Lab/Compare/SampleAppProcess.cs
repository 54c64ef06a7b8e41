using System.Diagnostics;
using System.Reflection;
using System.Text;
using Prewarm.Lab.Cli;
using Prewarm.LocalPostgres;
using Prewarm.LocalPostgres.Processes;

namespace Prewarm.Lab.Compare;

/// <summary>
/// One fresh process of the sample app on a free 127.0.0.1 port; disposing kills it, and so does the lab's exit
/// (an unhandled exception, a second Ctrl+C) through ChildProcess: no orphaned app keeps its port or its connections.
/// </summary>
internal sealed class SampleAppProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly StringBuilder _output;
    private readonly string _instanceId;

    private SampleAppProcess(ChildProcess process, StringBuilder output, Uri baseAddress, string instanceId)
    {
        _process = process;
        _output = output;
        _instanceId = instanceId;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The Stopwatch timestamp taken just before the process was started.</summary>
    public long StartedAt => _process.StartedAt;

    /// <summary>The wall-clock time taken with <see cref="StartedAt"/>, against which the app's own timestamps are read.</summary>
    public DateTimeOffset StartedAtUtc => _process.StartedAtUtc;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <remarks><paramref name="cpus"/>: Cores to pin the app to (<c>--app-cpus</c>), or null for wherever the lab runs.</remarks>
    public static SampleAppProcess Start(
        string appDll, string strategy, string connectionString, int warmConnections, string startupMode = "Background", int? port = null, IReadOnlyList<int>? cpus = null)
    {
        port ??= FreePort.Next();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        // taskset sets the mask, then execs dotnet in the same process: pinned from its first instruction, so the
        // runtime's start-up runs on those cores and Environment.ProcessorCount counts them.
        var psi = new ProcessStartInfo(cpus is null ? "dotnet" : "taskset") { WorkingDirectory = Path.GetDirectoryName(appDll)! };
        if (cpus is not null)
        {
            psi.ArgumentList.Add("--cpu-list");
            psi.ArgumentList.Add(CpuAffinity.Format(cpus));
            psi.ArgumentList.Add("dotnet");
        }

        psi.ArgumentList.Add(appDll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add(baseAddress.ToString());
        // Everything the app reads comes from here; an inherited ASPNETCORE_URLS or connection string must not leak in.
        ChildProcess.ClearInherited(psi, "ASPNETCORE_", "DOTNET_", "ConnectionStrings__", "SampleApp__", "Prewarm__");
        psi.Environment["ConnectionStrings__postgres"] = connectionString;
        psi.Environment["SampleApp__Strategy"] = strategy;
        psi.Environment["SampleApp__WarmConnections"] = warmConnections.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["SampleApp__StartupMode"] = startupMode;
        var instanceId = Guid.NewGuid().ToString("N");
        psi.Environment["SampleApp__InstanceId"] = instanceId;
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var output = new StringBuilder();
        var process = ChildProcess.Start(psi, line => Append(output, line), line => Append(output, line));
        return new SampleAppProcess(process, output, baseAddress, instanceId);
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

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>Where the sample app was built: recorded at build time by Prewarm.Lab.csproj.</summary>
    public static string DefaultAppPath() =>
        typeof(SampleAppProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SampleAppPath")?.Value ?? "Prewarm.SampleApp.dll";

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            // Bounded: a chatty failing app must not grow the lab's memory without limit.
            if (output.Length > 64 * 1024)
            {
                output.Remove(0, output.Length / 2);
            }

            output.AppendLine(line);
        }
    }
}
