using System.Reflection;

namespace Prewarm.Infra.Tests.Bicep;

// Paths the build wrote into this assembly (see the .csproj), so the tests run from any working directory.
internal static class Repository
{
    public static string Root { get; } = Metadata("RepositoryRoot");

    public static string BicepCli { get; } = Metadata("BicepCliPath");

    public static string Infra { get; } = Path.Combine(Root, "infra", "bicep");

    public static string MainTemplate { get; } = Path.Combine(Infra, "main.bicep");

    public static string Fixtures { get; } = Path.Combine(Root, "tests", "Infra.Tests", "Fixtures");

    // Under artifacts/ (gitignored): nothing the compiler writes is committed.
    public static string Output { get; } = Path.Combine(Root, "artifacts", "infra-tests");

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"The test assembly has no '{key}' metadata; build it with dotnet build/test.");
}
