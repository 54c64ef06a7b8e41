namespace Prewarm.Consumer.Tests.Infrastructure;

// Where the repository and this test's build output are: the packages are packed from the configuration the tests
// were built in (.../tests/Consumer.Tests/bin/<Configuration>/<TargetFramework>/).
internal static class RepositoryPaths
{
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string Root { get; } = FindRoot();

    public static IEnumerable<string> PackedProjects =>
    [
        Path.Combine(Root, "src", "Shared", "Prewarm.csproj"),
        Path.Combine(Root, "src", "Shared", "FunctionsWorker", "Prewarm.Functions.Worker.csproj"),
        Path.Combine(Root, "src", "Shared", "AspNetCore", "Prewarm.AspNetCore.csproj"),
    ];

    /// <summary>A consumer app's sources as this test's output holds them (Apps/{name}).</summary>
    public static string AppSources(string name) => Path.Combine(AppContext.BaseDirectory, "Apps", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Prewarm.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Prewarm.slnx above {AppContext.BaseDirectory}.");
    }
}
