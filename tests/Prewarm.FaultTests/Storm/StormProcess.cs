using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Prewarm.LocalPostgres.Processes;

namespace Prewarm.FaultTests.Storm;

// One storm app process seen from the test: start, read its report, send it a query, stop it. Every wait is bounded,
// and disposal (or the test run's exit, through ChildProcess) kills whatever is still running.
public sealed class StormProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromSeconds(60);
    private readonly ChildProcess _child;
    private readonly Channel<string> _lines;
    private readonly List<string> _stderr;

    private StormProcess(ChildProcess child, Channel<string> lines, List<string> stderr, string applicationName)
    {
        _child = child;
        _lines = lines;
        _stderr = stderr;
        ApplicationName = applicationName;
    }

    public string ApplicationName { get; }

    public bool HasExited => _child.HasExited;

    public static StormProcess Start(
        string connectionString, string applicationName, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");
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

        var lines = Channel.CreateUnbounded<string>();
        var stderr = new List<string>();
        var child = ChildProcess.Start(psi, line => OnOutput(lines, line), line => OnError(stderr, line));
        return new StormProcess(child, lines, stderr, applicationName);
    }

    public async Task<WarmupReport> ReadReportAsync() =>
        await ReadReportOrNullAsync() ?? throw new InvalidOperationException($"{ApplicationName}: no report yet");

    public async Task<WarmupReport> RequestReportAsync() =>
        await RequestReportOrNullAsync() ?? throw new InvalidOperationException($"{ApplicationName}: no report yet");

    /// <summary>The current report, or null while the first warm-up run has not ended.</summary>
    public async Task<WarmupReport?> RequestReportOrNullAsync()
    {
        await _child.StandardInput.WriteLineAsync("report");
        await _child.StandardInput.FlushAsync();
        return await ReadReportOrNullAsync();
    }

    private async Task<WarmupReport?> ReadReportOrNullAsync()
    {
        var line = await NextLineAsync();
        return line.StartsWith(StormApp.ReportPrefix, StringComparison.Ordinal)
            ? JsonSerializer.Deserialize<WarmupReport>(line[StormApp.ReportPrefix.Length..])
            : throw new InvalidOperationException($"{ApplicationName}: expected a report, got '{line}'");
    }

    public async Task<string> QueryAsync()
    {
        await _child.StandardInput.WriteLineAsync("query");
        await _child.StandardInput.FlushAsync();
        return await NextLineAsync();
    }

    /// <summary>Closes stdin, so the app stops its host (and closes its pool) the way it would on SIGTERM.</summary>
    public async Task<int> StopAsync()
    {
        _child.StandardInput.Close();
        await _child.WaitForExitAsync().WaitAsync(s_answerTimeout);
        return _child.ExitCode;
    }

    public ValueTask DisposeAsync() => _child.DisposeAsync();

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
            throw new InvalidOperationException($"{ApplicationName} gave no answer (exited: {_child.HasExited}). stderr:\n{RecentLog}", e);
        }
    }

    private static void OnOutput(Channel<string> lines, string? line)
    {
        if (line is null)
        {
            lines.Writer.TryComplete();
        }
        else
        {
            lines.Writer.TryWrite(line);
        }
    }

    private static void OnError(List<string> stderr, string? line)
    {
        if (line is not null)
        {
            lock (stderr)
            {
                stderr.Add(line);
            }
        }
    }
}
