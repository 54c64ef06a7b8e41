using System.Globalization;

namespace Prewarm.Functions.Worker;

// The shape the timer extension accepts: an NCRONTAB expression with six fields ("second minute hour day month
// day-of-week", https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#ncrontab-expressions) or a
// TimeSpan such as 00:02:00 (App Service plans only). Checked in the worker because the timer extension lives in
// the host: without this a typo shows up only as a KeepAlive function that never runs.
internal static class KeepAliveScheduleShape
{
    private static readonly string[] s_fieldNames = ["second", "minute", "hour", "day", "month", "day-of-week"];
    private static readonly (int Min, int Max)[] s_ranges = [(0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];
    private static readonly string[] s_months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] s_days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    // Null when the schedule has a valid shape, else what is wrong with it.
    public static string? Check(string schedule)
    {
        var text = schedule.Trim();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero
                ? null
                : "not a positive TimeSpan (hh:mm:ss).";
        }

        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != s_fieldNames.Length)
        {
            return $"an NCRONTAB expression needs six fields (second minute hour day month day-of-week), this has {fields.Length}.";
        }

        for (var i = 0; i < fields.Length; i++)
        {
            if (!IsValidField(fields[i], i))
            {
                return $"the {s_fieldNames[i]} field \"{fields[i]}\" is not valid (allowed: *, numbers {s_ranges[i].Min}-{s_ranges[i].Max}, ranges a-b, steps /n, lists a,b).";
            }
        }

        return null;
    }

    private static bool IsValidField(string field, int index)
    {
        foreach (var item in field.Split(','))
        {
            var parts = item.Split('/');
            if (parts.Length > 2 || parts.Length == 2 && !(int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var step) && step > 0))
            {
                return false;
            }

            if (parts[0] == "*")
            {
                continue;
            }

            var bounds = parts[0].Split('-');
            if (bounds.Length > 2 || !bounds.All(b => TryParseValue(b, index, out _)))
            {
                return false;
            }

            if (bounds.Length == 2 && TryParseValue(bounds[0], index, out var from) && TryParseValue(bounds[1], index, out var to) && from > to)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseValue(string text, int index, out int value)
    {
        var names = index switch { 4 => s_months, 5 => s_days, _ => null };
        if (names is not null && Array.FindIndex(names, n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is >= 0 and var position)
        {
            value = index == 4 ? position + 1 : position;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= s_ranges[index].Min && value <= s_ranges[index].Max;
    }
}
