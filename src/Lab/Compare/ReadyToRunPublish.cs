using System.Diagnostics;
using System.Reflection;
using System.Reflection.PortableExecutable;
using Prewarm.Lab.Cli;

namespace Prewarm.Lab.Compare;

/// <summary>
/// The sample app as a ReadyToRun publish (<c>compare --builds r2r</c>): <c>dotnet publish</c> of src/SampleApp, whose
/// project sets PublishReadyToRun, into the output folder. The build output the lab runs otherwise is IL, compiled by
/// the JIT at first use; the publish carries native code for the app and its packages, as a deployment would.
/// </summary>
internal static class ReadyToRunPublish
{
    public const string AppDll = "Prewarm.SampleApp.dll";

    public static async Task<string> PublishAsync(string outputDirectory, CancellationToken ct)
    {
        var project = typeof(ReadyToRunPublish).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SampleAppProject")?.Value;
        if (project is null || !File.Exists(project))
        {
            throw new LabException($"--builds r2r publishes src/SampleApp, but its project is not at {project ?? "(unknown)"}: run the lab from its source tree");
        }

        var folder = Path.GetFullPath(Path.Combine(outputDirectory, "sampleapp-r2r"));
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "publish", project, "-c", "Release", "-o", folder, "--nologo" })
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new LabException("could not start `dotnet publish`");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            var lines = ((await output) + (await error)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            throw new LabException($"`dotnet publish` of the sample app failed (exit {process.ExitCode}): {lines.FirstOrDefault(l => l.Contains("error", StringComparison.Ordinal)) ?? lines.LastOrDefault()}");
        }

        var dll = Path.Combine(folder, AppDll);
        if (!IsReadyToRun(dll))
        {
            throw new LabException($"`dotnet publish` wrote {dll} without native code: PublishReadyToRun in src/SampleApp's project did not take effect");
        }

        return dll;
    }

    /// <summary>Whether the assembly carries ReadyToRun code: its CLR header points at a managed native header.</summary>
    public static bool IsReadyToRun(string dll)
    {
        if (!File.Exists(dll))
        {
            return false;
        }

        using var stream = File.OpenRead(dll);
        using var pe = new PEReader(stream);
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
