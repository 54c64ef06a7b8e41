using Microsoft.Extensions.Logging.Testing;

namespace Prewarm.Tests.Infrastructure;

// What the tests read from Microsoft's FakeLogCollector: each record as one line with everything it carries (message,
// structured state, scopes, exception), so a secret check sees all of it, and a wait on the app's own log lines.
public static class LogLines
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(60);

    public static IReadOnlyList<string> Lines(this FakeLogCollector logs) => [.. logs.GetSnapshot().Select(Line)];

    /// <summary>Completes once <paramref name="count"/> lines contain <paramref name="text"/>: the app's own signal, no polling.</summary>
    public static async Task WaitForAsync(this FakeLogCollector logs, string text, int count = 1)
    {
        using var guard = new CancellationTokenSource(s_guard);
        var seen = 0;
        await foreach (var record in logs.GetLogsAsync(guard.Token))
        {
            if (Line(record).Contains(text, StringComparison.Ordinal) && ++seen == count)
            {
                return;
            }
        }
    }

    public static string Line(FakeLogRecord record)
    {
        var state = record.State is IEnumerable<KeyValuePair<string, string?>> pairs
            ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}"))
            : record.State?.ToString();
        return $"{record.Level} {record.Category}: {record.Message} | {state} | {string.Join(";", record.Scopes)} | {record.Exception}";
    }
}
