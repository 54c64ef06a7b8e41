using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Prewarm.Tests.Infrastructure;

// Captures every log line of every category, Npgsql's included, at Trace, so secret checks see all of it.
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Completes once <paramref name="count"/> lines contain <paramref name="text"/>: the app's own signal, no polling.</summary>
    public async Task WaitForAsync(string text, int count = 1)
    {
        while (true)
        {
            Task next;
            lock (_lock)
            {
                if (_lines.Count(l => l.Contains(text, StringComparison.Ordinal)) >= count)
                {
                    return;
                }

                next = _logged.Task;
            }

            await next.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            TaskCompletionSource logged;
            lock (owner._lock)
            {
                owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {structured} | {exception}");
                logged = owner._logged;
                owner._logged = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            logged.TrySetResult();
        }
    }
}
