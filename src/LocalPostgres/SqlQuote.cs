namespace Prewarm.LocalPostgres;

/// <summary>Quoting for the few statements (CREATE ROLE/DATABASE) that cannot take parameters.</summary>
internal static class SqlQuote
{
    public static string Identifier(string name)
    {
        Validate(name, nameof(name));
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A standard string literal; standard_conforming_strings is on by default, so backslashes are not escapes.</summary>
    public static string Literal(string value)
    {
        Validate(value, nameof(value));
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static void Validate(string text, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(text, parameter);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("PostgreSQL text cannot contain NUL characters.", parameter);
        }
    }
}
