namespace Prewarm.Functions.Tests.Infrastructure;

/// <summary>
/// The app as the Functions host finds it: src/Functions' build output, with the SDK's functions.metadata and
/// worker.config.json, in the configuration these tests were built in (the test project builds it first).
/// </summary>
internal static class AppFolder
{
    public static string Path { get; } = Locate();

    private static string Locate()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory);
        // .../tests/Functions.Tests/bin/<Configuration>/<TargetFramework>/
        var targetFramework = testBin.Name;
        var configuration = testBin.Parent?.Name
            ?? throw new InvalidOperationException($"Unexpected test output folder {testBin.FullName}.");
        for (var dir = testBin; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Prewarm.slnx")))
            {
                var app = System.IO.Path.Combine(dir.FullName, "src", "Functions", "bin", configuration, targetFramework);
                return File.Exists(System.IO.Path.Combine(app, "worker.config.json"))
                    ? app
                    : throw new InvalidOperationException($"No worker.config.json in {app}: build src/Functions in {configuration} first.");
            }
        }

        throw new InvalidOperationException($"No Prewarm.slnx above {testBin.FullName}.");
    }
}
