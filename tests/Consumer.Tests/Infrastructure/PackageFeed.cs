namespace Prewarm.Consumer.Tests.Infrastructure;

/// <summary>
/// The Prewarm packages as a user gets them: packed once per test run (from the outputs the test build made) into a
/// folder feed in a temporary directory, which also holds the NuGet package cache every consumer app restores into,
/// so a Prewarm 1.0.0 cached by an earlier run is never used.
/// </summary>
internal sealed class PackageFeed
{
    private static readonly Lazy<Task<PackageFeed>> s_instance = new(CreateAsync);
    private static string? s_root;

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
        s_root = root;
        // The collection's cleanup (ConsumerCleanup) deletes it; this is for a run cut short before that.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteRoot();
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

    /// <summary>Deletes the temporary directory, if this run made one. Its app processes must have exited first.</summary>
    public static void DeleteRoot()
    {
        if (Interlocked.Exchange(ref s_root, null) is not { } root)
        {
            return;
        }

        // The apps' processes have exited (ChildProcesses.KillAll waits for them), and on Linux an open file does not stop
        // its deletion; a second try covers a file a dying process created while the first walked the tree.
        for (var attempt = 1; Directory.Exists(root); attempt++)
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (attempt == 3)
                {
                    Console.Error.WriteLine($"prewarm consumer tests: could not delete {root}: {ex.Message}");
                    return;
                }
            }
        }
    }
}
