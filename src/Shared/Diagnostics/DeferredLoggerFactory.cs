using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Prewarm.Diagnostics;

// The warm-up starts inside AddPrewarmedNpgsql, before the app's logging exists. Its loggers (the library's and
// Npgsql's) write into a bounded buffer until the host takes the warm-up over; then the buffer is replayed, in order,
// into the app's ILoggerFactory, whose own filters decide what is kept, and every later entry goes straight there.
internal sealed class DeferredLoggerFactory : ILoggerFactory
{
    // Enough for the warm-up of a few dozen connections; past it the oldest entries are dropped and counted.
    private const int Capacity = 2048;

    // Before the host's logging exists its filters are unknown, so a level has to be chosen blind. Debug and Trace would
    // make Npgsql format and buffer some twenty lines per open on the cold start's critical path (measured: it slowed
    // the first warm connection); Information and above keep what an app's default filters keep: the library's own
    // lines, Npgsql's command lines, every warning and error.
    private const LogLevel EarlyMinimumLevel = LogLevel.Information;

    private readonly Lock _lock = new();
    private readonly Queue<Action<ILoggerFactory>> _buffer = new();
    private ILoggerFactory? _target;
    private int _dropped;

    public ILogger CreateLogger(string categoryName) => new DeferredLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("Add providers to the app's own logging.");

    /// <summary>Replays what was buffered into <paramref name="target"/> and forwards everything from now on.</summary>
    public void Attach(ILoggerFactory? target)
    {
        lock (_lock)
        {
            if (_target is not null)
            {
                return;
            }

            _target = target ?? NullLoggerFactory.Instance;
            if (_dropped > 0)
            {
                Log.EarlyEntriesDropped(_target.CreateLogger(typeof(DeferredLoggerFactory).FullName!), _dropped);
            }

            while (_buffer.TryDequeue(out var entry))
            {
                entry(_target);
            }
        }
    }

    // Owned by the host's logging once attached; nothing of its own to release.
    public void Dispose()
    {
    }

    private ILoggerFactory? Target => Volatile.Read(ref _target);

    private bool TryBuffer(Action<ILoggerFactory> entry)
    {
        lock (_lock)
        {
            if (_target is not null)
            {
                return false;
            }

            if (_buffer.Count == Capacity)
            {
                _buffer.Dequeue();
                _dropped++;
            }

            _buffer.Enqueue(entry);
            return true;
        }
    }

    private sealed class DeferredLogger(DeferredLoggerFactory factory, string category) : ILogger
    {
        private ILogger? _target;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => Resolve()?.BeginScope(state);

        // Before the host's logging exists the early floor applies; the host's own filters apply again at replay.
        public bool IsEnabled(LogLevel logLevel) => Resolve()?.IsEnabled(logLevel) ?? (logLevel >= EarlyMinimumLevel && logLevel != LogLevel.None);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Resolve() is { } target)
            {
                target.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            if (logLevel < EarlyMinimumLevel)
            {
                return;
            }

            if (!factory.TryBuffer(f => f.CreateLogger(category).Log(logLevel, eventId, state, exception, formatter)))
            {
                Resolve()!.Log(logLevel, eventId, state, exception, formatter);
            }
        }

        private ILogger? Resolve() => _target ??= factory.Target?.CreateLogger(category);
    }
}
