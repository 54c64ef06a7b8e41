using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Prewarm.FaultTests.Storm;

// One storm app process seen from the test: start, read its report, send it a query, stop it. Every wait is bounded,
// and disposal kills whatever is still running.
public sealed class StormProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _stderr = [];

    private StormProcess(Process process, string applicationName)
    {
        _process = process;
        ApplicationName = applicationName;
    }

    public string ApplicationName { get; }

    public bool HasExited => _process.HasExited;

    public static StormProcess Start(
        string connectionString, string applicationName, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(typeof(StormApp).Assembly.Location);
        psi.ArgumentList.Add(StormApp.Verb);
        psi.Environment["ConnectionStrings__postgres"] = connectionString;
        foreach (var (key, value) in settings)
        {
            psi.Environment[$"Prewarm__postgres__{key}"] = value;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var process = new Process { StartInfo = psi };
        var storm = new StormProcess(process, applicationName);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                storm._lines.Writer.TryComplete();
            }
            else
            {
                storm._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (storm._stderr)
                {
                    storm._stderr.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return storm;
    }

    public async Task<WarmupReport> ReadReportAsync()
    {
        var line = await NextLineAsync();
        return line.StartsWith(StormApp.ReportPrefix, StringComparison.Ordinal)
            ? JsonSerializer.Deserialize<WarmupReport>(line[StormApp.ReportPrefix.Length..]) ?? throw new InvalidOperationException($"{ApplicationName}: no report yet")
            : throw new InvalidOperationException($"{ApplicationName}: expected a report, got '{line}'");
    }

    public async Task<WarmupReport> RequestReportAsync()
    {
        await _process.StandardInput.WriteLineAsync("report");
        await _process.StandardInput.FlushAsync();
        return await ReadReportAsync();
    }

    public async Task<string> QueryAsync()
    {
        await _process.StandardInput.WriteLineAsync("query");
        await _process.StandardInput.FlushAsync();
        return await NextLineAsync();
    }

    /// <summary>Closes stdin, so the app stops its host (and closes its pool) the way it would on SIGTERM.</summary>
    public async Task<int> StopAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync().WaitAsync(s_answerTimeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(s_answerTimeout);
        }

        _process.Dispose();
    }

    /// <summary>The last lines the process wrote to stderr (its log).</summary>
    public string RecentLog
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr.TakeLast(30));
            }
        }
    }

    private async Task<string> NextLineAsync()
    {
        try
        {
            return await _lines.Reader.ReadAsync().AsTask().WaitAsync(s_answerTimeout);
        }
        catch (Exception e) when (e is ChannelClosedException or TimeoutException)
        {
            throw new InvalidOperationException($"{ApplicationName} gave no answer (exited: {_process.HasExited}). stderr:\n{RecentLog}", e);
        }
    }
}
