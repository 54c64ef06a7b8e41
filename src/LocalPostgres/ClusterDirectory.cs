using System.Security.Cryptography;

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

    public static ClusterDirectory Create(bool forServiceUser)
    {
        var parent = Path.GetTempPath();
        // As root the server runs as postgres, which must be able to walk down to PGDATA; a private TMPDIR (e.g. /root/tmp) would stop it.
        if (forServiceUser && !OthersCanTraverse(parent))
        {
            parent = "/tmp";
        }

        var root = Path.Combine(parent, "prewarm-pg-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        var directory = new ClusterDirectory(root);
        PrivateFiles.CreateDirectory(root);
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

    public string ReadLogTail(long fromOffset, int maxLines = 30)
    {
        try
        {
            using var stream = new FileStream(ServerLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(fromOffset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', lines.TakeLast(maxLines));
        }
        catch (IOException e)
        {
            return $"(server log unreadable: {e.Message})";
        }
        catch (UnauthorizedAccessException e)
        {
            return $"(server log unreadable: {e.Message})";
        }
    }

    public long LogLength()
    {
        var log = new FileInfo(ServerLog);
        return log.Exists ? log.Length : 0;
    }

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
