namespace Prewarm.Consumer.Tests.Infrastructure;

/// <summary>
/// The Prewarm packages as a user gets them: packed once per test run (from the outputs the test build made) into a
/// folder feed in a temporary directory, which also holds the NuGet package cache every consumer app restores into,
/// so a Prewarm 1.0.0 cached by an earlier run is never used.
/// </summary>
internal sealed class PackageFeed
{
    private static readonly Lazy<Task<PackageFeed>> s_instance = new(CreateAsync);

    private PackageFeed(string root, string version)
    {
        Root = root;
        Version = version;
    }

    public static Task<PackageFeed> Instance => s_instance.Value;

    /// <summary>The temporary directory: the feed, the package cache and the apps, all below it.</summary>
    public string Root { get; }

    public string Folder => Path.Combine(Root, "feed");

    public string PackagesCache => Path.Combine(Root, "packages");

    /// <summary>The one version of all the packages (src/Shared/Packaging.props).</summary>
    public string Version { get; }

    // NuGet reads it for every restore of the app's build, the worker SDK's inner extensions project's included.
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["NUGET_PACKAGES"] = PackagesCache };

    private static async Task<PackageFeed> CreateAsync()
    {
        var root = Directory.CreateTempSubdirectory("prewarm-consumer-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        var feed = Path.Combine(root, "feed");
        foreach (var project in RepositoryPaths.PackedProjects)
        {
            await DotnetCli.RunAsync(RepositoryPaths.Root, new Dictionary<string, string>(),
                "pack", project, "-c", RepositoryPaths.Configuration, "--no-build", "-o", feed);
        }

        var prewarm = Directory.GetFiles(feed, "Prewarm.*.nupkg").Select(Path.GetFileNameWithoutExtension)
            .Single(name => name!.Length > "Prewarm.".Length && char.IsDigit(name["Prewarm.".Length]));
        return new PackageFeed(root, prewarm!["Prewarm.".Length..]);
    }

    private static void TryDelete(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup: a process of the app may still hold a file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
