using System.Diagnostics;

namespace Prewarm.Infra.Tests.Bicep;

// Runs the real Bicep CLI restored from NuGet (tools/bicep/BicepCli.props).
internal static class BicepCli
{
    // A guard against a hung process, not a timing assertion: a healthy run takes seconds.
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromMinutes(3);

    public static async Task<BicepRun> RunAsync(params string[] arguments)
    {
        var cli = Executable();
        var start = new ProcessStartInfo(cli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry and no version check against the internet: this runs offline.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {cli}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(s_hangGuard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {s_hangGuard}");
        }

        return new BicepRun(string.Join(' ', arguments), process.ExitCode, (await stdout) + (await stderr));
    }

    private static string Executable()
    {
        var cli = Repository.BicepCli;
        if (!File.Exists(cli))
        {
            throw new FileNotFoundException(
                $"No Bicep CLI at {cli}. Restore tests/Infra.Tests (dotnet restore) to bring package " +
                "Azure.Bicep.CommandLine.linux-x64 into the NuGet cache.", cli);
        }

        // NuGet does not always keep the executable bit when it extracts a package. (The package is linux-x64 only.)
        if (OperatingSystem.IsWindows())
        {
            return cli;
        }

        var mode = File.GetUnixFileMode(cli);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(cli, mode | UnixFileMode.UserExecute);
        }

        return cli;
    }
}
