namespace Prewarm.Consumer.Tests.Infrastructure;

/// <summary>
/// A new app made from Apps/{name} in a folder of the feed's temporary directory, outside the solution (no
/// Directory.Build.props, Directory.Packages.props or global.json of the repository above it), with a nuget.config
/// that adds the folder feed to the machine's registry (no Prewarm package is on the registry), restored into the isolated cache and built once per test run.
/// </summary>
internal static class ConsumerApp
{
    private static readonly Dictionary<string, Lazy<Task<string>>> s_built = [];

    /// <summary>The app's build output folder.</summary>
    public static Task<string> BuildAsync(string name)
    {
        lock (s_built)
        {
            if (!s_built.TryGetValue(name, out var built))
            {
                s_built[name] = built = new Lazy<Task<string>>(() => CreateAndBuildAsync(name));
            }

            return built.Value;
        }
    }

    private static async Task<string> CreateAndBuildAsync(string name)
    {
        var feed = await PackageFeed.Instance;
        var folder = Path.Combine(feed.Root, "apps", name);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(RepositoryPaths.AppSources(name)))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="prewarm-local" value="{feed.Folder}" />
              </packageSources>
            </configuration>
            """);
        await DotnetCli.RunAsync(folder, feed.Environment, "build", "-c", "Release", $"-p:PrewarmVersion={feed.Version}");
        return Path.Combine(folder, "bin", "Release", "net10.0");
    }
}
