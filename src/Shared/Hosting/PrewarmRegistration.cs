namespace Prewarm.Hosting;

// One AddPrewarmedNpgsql or AddKeyedPrewarmedNpgsql call, registered as an instance: it marks the name as taken (the
// first registration wins), keys the early warm-up's services, and lets a gate find the coordinator and the settings a
// name runs with (PrewarmServiceProviderExtensions) without the app capturing them. A reference type compared by
// identity: two registrations are never the same key.
internal sealed class PrewarmRegistration(string name, bool keyed, PrewarmSettings settings)
{
    public string Name { get; } = name;

    public bool Keyed { get; } = keyed;

    public PrewarmSettings Settings { get; } = settings;
}
