using System.Globalization;
using System.Security.Cryptography;
using Prewarm.LocalPostgres.Processes;

namespace Prewarm.LocalPostgres;

/// <summary>
/// Where the server binaries live and how to run them and pgbouncer: initdb, postgres and pgbouncer all refuse root, so
/// root runs them as the postgres OS user and hands it the files they read.
/// </summary>
internal sealed class PgBinaries
{
    internal const string MissingMessage =
        "PostgreSQL server binaries not found; install them with: apt-get install -y postgresql";

    private const string ServiceUser = "postgres";
    private static readonly string[] RequiredTools = ["initdb", "pg_ctl", "postgres"];

    private PgBinaries(string directory, bool runAsServiceUser)
    {
        Directory = directory;
        RunAsServiceUser = runAsServiceUser;
    }

    public string Directory { get; }

    /// <summary>True when this process is root, so files the server reads must be chowned to postgres.</summary>
    public bool RunAsServiceUser { get; }

    public static PgBinaries Locate()
    {
        var directory = FromEnvironment() ?? NewestInstalled()
            ?? throw new InvalidOperationException(MissingMessage);
        var isRoot = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        return new PgBinaries(directory, isRoot);
    }

    public Task<ProcessResult> RunAsync(
        string tool, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken ct) =>
        RunProgramAsync(Path.Combine(Directory, tool), arguments, workingDirectory, timeout, ct);

    /// <summary>Runs any program (pgbouncer, say) as the user the server runs as.</summary>
    public Task<ProcessResult> RunProgramAsync(
        string path, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken ct) =>
        RunAsServiceUser
            ? ChildProcess.RunAsync("runuser", ["-u", ServiceUser, "--", path, .. arguments], workingDirectory, timeout, ct)
            : ChildProcess.RunAsync(path, arguments, workingDirectory, timeout, ct);

    /// <summary>A new private folder for a server's files, somewhere the server's user can reach.</summary>
    public string CreatePrivateRoot(string prefix)
    {
        var parent = Path.GetTempPath();
        // As root the server runs as postgres, which must be able to walk down to its files; a private TMPDIR (e.g. /root/tmp) would stop it.
        if (RunAsServiceUser && !OthersCanTraverse(parent))
        {
            parent = "/tmp";
        }

        var root = Path.Combine(parent, prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        PrivateFiles.CreateDirectory(root);
        return root;
    }

    /// <summary>Hands a tree written by root over to the server's user; a no-op when not root.</summary>
    public async Task GiveToServiceUserAsync(string path, CancellationToken ct)
    {
        if (!RunAsServiceUser)
        {
            return;
        }

        var result = await ChildProcess.RunAsync(
            "chown", ["-R", $"{ServiceUser}:{ServiceUser}", path], "/", TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"chown of {path} to {ServiceUser} failed: {result.Output}");
        }
    }

    private static string? FromEnvironment()
    {
        var configured = Environment.GetEnvironmentVariable("PREWARM_PG_BIN");
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }

        // A wrong override is a mistake to report, not a reason to quietly use some other version.
        return HasTools(configured)
            ? configured
            : throw new InvalidOperationException($"{MissingMessage} (PREWARM_PG_BIN={configured} lacks initdb, pg_ctl or postgres)");
    }

    private static string? NewestInstalled()
    {
        const string root = "/usr/lib/postgresql";
        if (!System.IO.Directory.Exists(root))
        {
            return null;
        }

        return System.IO.Directory.EnumerateDirectories(root)
            .Select(d => (Bin: Path.Combine(d, "bin"), Version: ParseVersion(Path.GetFileName(d))))
            .Where(c => c.Version is not null && HasTools(c.Bin))
            .OrderByDescending(c => c.Version)
            .Select(c => c.Bin)
            .FirstOrDefault();
    }

    private static decimal? ParseVersion(string name) =>
        decimal.TryParse(name, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static bool HasTools(string directory) =>
        RequiredTools.All(t => File.Exists(Path.Combine(directory, t)));

    private static bool OthersCanTraverse(string path)
    {
        for (var dir = new DirectoryInfo(path); dir is not null; dir = dir.Parent)
        {
            if (dir.Exists && (dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }
}
