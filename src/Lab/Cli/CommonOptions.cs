using System.CommandLine;
using System.CommandLine.Parsing;

namespace Prewarm.Lab.Cli;

/// <summary>Options more than one subcommand takes, and the validation they share.</summary>
internal static class CommonOptions
{
    public static Option<string?> Connection() => new("--connection", "-c")
    {
        Description = "Npgsql connection string of the database to use. Without it, a throwaway embedded PostgreSQL is started and stopped at exit.",
    };

    public static Option<int> PositiveInt(string name, int defaultValue, string description) => BoundedInt(name, defaultValue, 1, description);

    public static Option<int> BoundedInt(string name, int defaultValue, int minimum, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
            if (text is null)
            {
                return defaultValue;
            }

            if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < minimum)
            {
                result.AddError($"{name} must be a whole number of at least {minimum}, not '{text}'");
            }

            return value;
        },
    };

    /// <summary>Parses "0,2,20": non-negative whole milliseconds, at least one, no repeats.</summary>
    public static int[] ParseMillisecondList(ArgumentResult result) => ParseList(
        result,
        part => (int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms <= 10_000, ms),
        part => $"'{part}' is not a whole number of milliseconds between 0 and 10000",
        "give at least one RTT, e.g. --rtt 0,2,20");

    /// <summary>A comma-separated list (over one or more tokens): each part valid, at least one, repeats dropped, in order.</summary>
    public static T[] ParseList<T>(ArgumentResult result, Func<string, (bool Valid, T Value)> parse, Func<string, string> invalid, string empty)
    {
        var values = new List<T>();
        foreach (var part in string.Join(',', result.Tokens.Select(t => t.Value)).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (valid, value) = parse(part);
            if (!valid)
            {
                result.AddError(invalid(part));
                return [];
            }

            if (!values.Contains(value))
            {
                values.Add(value);
            }
        }

        if (values.Count == 0)
        {
            result.AddError(empty);
        }

        return [.. values];
    }
}
