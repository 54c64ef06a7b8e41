using Prewarm.LocalPostgres.Processes;

namespace Prewarm.Lab.Compare;

/// <summary>
/// <c>--app-cpus</c>: which cores the app gets and which the database side gets. An Azure Functions instance has one
/// core by default, shared with the Functions host, and the database is another machine; running the app beside
/// PostgreSQL on every core hides what a cold start costs there. <see cref="AppCpus"/> null: nothing is pinned.
/// </summary>
internal sealed record CorePlan(string Setting, IReadOnlyList<int> Available, IReadOnlyList<int>? AppCpus, IReadOnlyList<int>? DatabaseCpus)
{
    public const string All = "all";
    public const string DefaultSetting = "1";

    /// <summary>Everything on every core: today's behaviour, and what the report tests assume unless told.</summary>
    public static CorePlan Unpinned(IReadOnlyList<int> available) => new(All, available, null, null);

    /// <summary>How many cores the app may use: its pinned ones, or all there are.</summary>
    public int AppCoreCount => AppCpus?.Count ?? Available.Count;

    /// <summary>
    /// The plan for <paramref name="setting"/> (<c>all</c> or a core count) on <paramref name="available"/>, or the
    /// one-line reason it cannot be honest there. The app takes the first cores; the embedded database, its proxy
    /// and the lab take the rest, so the database needs at least one of its own. An external database
    /// (<paramref name="externalDatabase"/>) runs elsewhere: only the app is pinned.
    /// </summary>
    public static (CorePlan? Plan, string? Refusal) Create(string setting, IReadOnlyList<int> available, bool externalDatabase)
    {
        if (setting == All)
        {
            return (Unpinned(available), null);
        }

        if (!int.TryParse(setting, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            return (null, Invalid(setting));
        }

        if (externalDatabase)
        {
            return count <= available.Count
                ? (new CorePlan(setting, available, [.. available.Take(count)], null), null)
                : (null, $"--app-cpus {count} needs {count} cores, but the lab may use {available.Count} here: give a smaller --app-cpus, or --app-cpus all");
        }

        if (count + 1 > available.Count)
        {
            return (null, $"--app-cpus {count} needs at least {count + 1} cores ({count} for the app, one of its own for PostgreSQL and the delay proxy), but the lab may use {available.Count} here: use --app-cpus all to let them share, or --connection for a database on another machine");
        }

        return (new CorePlan(setting, available, [.. available.Take(count)], [.. available.Skip(count)]), null);
    }

    public static string Invalid(string setting) => $"--app-cpus takes all or a whole number of cores of at least 1, not '{setting}'";

    /// <summary>One line for the report's conditions; <paramref name="functions"/>: the lab also plays the Functions host, on the app's cores.</summary>
    public string Describe(bool functions)
    {
        if (AppCpus is null)
        {
            return $"--app-cpus all: nothing pinned; the app, PostgreSQL, the proxy and the lab share cores {CpuAffinity.Format(Available)}";
        }

        var app = functions
            ? $"the worker and the lab's process (it plays the Functions host: gRPC server and invocations; also the proxy's receiving side) on core(s) {CpuAffinity.Format(AppCpus)}"
            : $"the app on core(s) {CpuAffinity.Format(AppCpus)} (started through taskset)";
        if (DatabaseCpus is null)
        {
            return $"--app-cpus {Setting}: {app}; the database is external{(functions ? "" : "; the lab and its proxy are not pinned")}";
        }

        var rest = functions ? "the proxy's delaying threads" : "the delay proxy and the lab's client";
        return $"--app-cpus {Setting}: {app}; PostgreSQL (postmaster, so every backend) and {rest} on core(s) {CpuAffinity.Format(DatabaseCpus)}";
    }
}
