namespace Prewarm.LocalPostgres;

/// <summary>Files and folders only their owner can read: the password file, the TLS key and PGDATA, which PostgreSQL insists be 0700.</summary>
internal static class PrivateFiles
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotSupported();
        }

        Directory.CreateDirectory(path, OwnerReadWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Created with mode 0600 rather than chmod-ed afterwards, so the content is never readable by others even briefly.</summary>
    public static void WriteNew(string path, string content)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotSupported();
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerReadWrite };
        using var writer = new StreamWriter(path, options);
        writer.Write(content);
    }

    private static PlatformNotSupportedException NotSupported() =>
        new("The local PostgreSQL cluster runs on Linux (and other Unix) only.");
}
