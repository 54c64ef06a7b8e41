namespace Prewarm.LocalPostgres;

/// <summary>The last lines a server logged since an offset: what a failed start quotes, so the reason is in the exception.</summary>
internal static class LogTail
{
    public static string Read(string path, long fromOffset, int maxLines = 30)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(fromOffset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', lines.TakeLast(maxLines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"({Path.GetFileName(path)} unreadable: {e.Message})";
        }
    }

    public static long Length(string path)
    {
        var log = new FileInfo(path);
        return log.Exists ? log.Length : 0;
    }
}
