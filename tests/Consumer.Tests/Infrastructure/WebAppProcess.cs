using System.Diagnostics;
using System.Text;

namespace Prewarm.Consumer.Tests.Infrastructure;

/// <summary>
/// A consumer web app run as a real process (<c>dotnet App.dll --urls http://127.0.0.1:0</c>): Kestrel picks a free port
/// and the app's own "Now listening on" line says which, so no port is guessed and none can be taken in between.
/// Disposing kills the process tree and waits for it to exit.
/// </summary>
internal sealed class WebAppProcess : IAsyncDisposable
{
    private const string ListeningLine = "Now listening on: ";
    private static readonly TimeSpan s_startBound = TimeSpan.FromMinutes(1);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebAppProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public static async Task<WebAppProcess> StartAsync(string appFolder, string assemblyName, IReadOnlyDictionary<string, string?> settings)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = appFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(appFolder, assemblyName + ".dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var app = new WebAppProcess(new Process { StartInfo = start });
        app._process.OutputDataReceived += (_, e) => app.OnLine(e.Data);
        app._process.ErrorDataReceived += (_, e) => app.OnLine(e.Data);
        app._process.Exited += (_, _) => app._listening.TrySetException(new InvalidOperationException($"The app exited before listening: {app.Output}"));
        app._process.EnableRaisingEvents = true;
        app._process.Start();
        ChildProcesses.Track(app._process);
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        try
        {
            app.BaseAddress = await app._listening.Task.WaitAsync(s_startBound);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        app.Http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        return app;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        ChildProcesses.Kill(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var at = line.IndexOf(ListeningLine, StringComparison.Ordinal);
        if (at >= 0)
        {
            _listening.TrySetResult(new Uri(line[(at + ListeningLine.Length)..].Trim()));
        }
    }
}
