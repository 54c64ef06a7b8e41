namespace Prewarm.LocalPostgres;

/// <summary>The cluster's private folder: <c>data</c> (PGDATA) plus the transient password file, which must stay outside PGDATA.</summary>
internal sealed class ClusterDirectory
{
    private ClusterDirectory(string root)
    {
        Root = root;
        Data = Path.Combine(root, "data");
        PasswordFile = Path.Combine(root, "pwfile");
    }

    public string Root { get; }

    public string Data { get; }

    public string PasswordFile { get; }

    public string ServerLog => Path.Combine(Data, "log.txt");

    public static ClusterDirectory Create(PgBinaries binaries)
    {
        var directory = new ClusterDirectory(binaries.CreatePrivateRoot("prewarm-pg-"));
        PrivateFiles.CreateDirectory(directory.Data);
        return directory;
    }

    /// <summary>Empties PGDATA after a failed initdb so the next attempt starts from an empty directory, as initdb requires.</summary>
    public void ResetData()
    {
        if (Directory.Exists(Data))
        {
            Directory.Delete(Data, recursive: true);
        }

        PrivateFiles.CreateDirectory(Data);
    }

    public string ReadLogTail(long fromOffset) => LogTail.Read(ServerLog, fromOffset);

    public long LogLength() => LogTail.Length(ServerLog);

    public bool HasPostmasterPid() => File.Exists(Path.Combine(Data, "postmaster.pid"));

    /// <summary>Deletes everything; a few retries because the postmaster's last writes may land just after it reports stopped.</summary>
    public void DeleteQuietly()
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(Root))
                {
                    Directory.Delete(Root, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }
}
