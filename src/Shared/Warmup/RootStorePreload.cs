using System.Security.Cryptography.X509Certificates;
using Npgsql;

namespace Prewarm.Warmup;

// The first TLS handshake of a process makes .NET load the machine's root certificates to build the server's chain (on
// Linux, parse the whole bundle under /etc/ssl/certs), even when Npgsql then ignores the chain (SSL Mode=Require): some
// 100 ms of CPU in the middle of the first open, on the cold start's critical path. Loading them on a thread of their
// own, beside the data source's build, the TCP connect and the SSL request, takes that off the path; .NET keeps them
// for the process, so the handshake finds them loaded. Measured in a fresh process on 2 cores: a first open of
// 270-320 ms took 195-210 ms with this beside it.
internal static class RootStorePreload
{
    public static void BeginIfTls(string connectionString)
    {
        if (new NpgsqlConnectionStringBuilder(connectionString).SslMode == SslMode.Disable)
        {
            return;
        }

        _ = Task.Run(static () =>
        {
            try
            {
                using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
                store.Open(OpenFlags.ReadOnly);
                _ = store.Certificates.Count;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // No store to load: the handshake will find out, and say so, on its own.
            }
        });
    }
}
