using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Prewarm.Functions.TestHost;

// One function the worker reported and loaded: the id invocations name, its trigger binding, and for HTTP triggers
// the route the host matches requests against (the route values are trigger metadata, as the host sends them).
internal sealed class LoadedFunction
{
    private readonly TemplateMatcher? _route;

    public LoadedFunction(string id, string name, IEnumerable<string> rawBindings)
    {
        Id = id;
        Name = name;
        foreach (var raw in rawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            var root = binding.RootElement;
            var type = root.GetProperty("type").GetString() ?? string.Empty;
            if (!type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            TriggerType = type;
            TriggerName = root.GetProperty("name").GetString() ?? string.Empty;
            if (type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase))
            {
                var route = root.TryGetProperty("route", out var r) ? r.GetString() : null;
                _route = new TemplateMatcher(TemplateParser.Parse(route ?? name), new RouteValueDictionary());
            }
        }
    }

    public string Id { get; }

    public string Name { get; }

    public string TriggerType { get; } = string.Empty;

    public string TriggerName { get; } = string.Empty;

    public IReadOnlyDictionary<string, string>? MatchRoute(string path)
    {
        var values = new RouteValueDictionary();
        if (_route is null || !_route.TryMatch(new Microsoft.AspNetCore.Http.PathString("/" + path.TrimStart('/')), values))
        {
            return null;
        }

        return values.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture)!);
    }
}
