using Npgsql;

namespace Prewarm.Diagnostics;

// Failure texts reach logs, reports and health responses. Npgsql's own messages carry no password, but a message
// built elsewhere (a warm-up query's error, a credential's) might echo one: every text is scrubbed of the
// secrets this data source knows before it leaves the library.
internal sealed class SecretRedactor
{
    private const string Mask = "***";
    private readonly List<string> _secrets = [];
    private readonly Lock _lock = new();

    public SecretRedactor(NpgsqlConnectionStringBuilder connectionString) => Add(connectionString.Password);

    public void Add(string? secret)
    {
        // Very short values would mask ordinary words; they are not credentials worth the name anyway.
        if (string.IsNullOrEmpty(secret) || secret.Length < 4)
        {
            return;
        }

        lock (_lock)
        {
            if (!_secrets.Contains(secret))
            {
                _secrets.Add(secret);
            }
        }
    }

    public string Redact(string text)
    {
        lock (_lock)
        {
            foreach (var secret in _secrets)
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    public string Describe(Exception exception)
    {
        var root = exception is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : exception;
        var text = root is NpgsqlException { InnerException: { } inner } && root is not PostgresException
            ? $"{root.GetType().Name}: {root.Message} ({inner.GetType().Name}: {inner.Message})"
            : $"{root.GetType().Name}: {root.Message}";
        return Redact(text);
    }
}
