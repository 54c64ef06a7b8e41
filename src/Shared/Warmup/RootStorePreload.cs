using System.Security.Cryptography.X509Certificates;
using Npgsql;

namespace Prewarm.Warmup;

// The first TLS handshake of a process makes .NET on Linux load the machine's root certificates (every file under
// SSL_CERT_FILE and SSL_CERT_DIR, parsed) because SslStream always builds the server's chain before it calls the
// validation callback, even when Npgsql then ignores the chain (SSL Mode=Require), and the chain build loads the
// store whatever the trust mode. No setting of one connection or data source avoids that: docs/tls.md has the
// runtime's source trail. Loading the store on a thread of its own, beside the data source's build, the TCP connect
// and the SSL request, takes that load (some 60-150 ms of CPU) off the first open's path: .NET caches it for the
// process, and X509Store reads the very cache the chain build uses. Measured on 2 cores: a first open of 270-320 ms
// took 195-210 ms with this beside it (docs/benchmarks.md).
internal static class RootStorePreload
{
    /// <summary>Starts the load and returns it, or returns null when it would not help.</summary>
    public static Task? BeginIfTls(string connectionString, int processorCount)
    {
        // One core: the load's CPU would only move beside the app's start-up, on the same core, instead of leaving the
        // first open's path: docs/tls.md#one-core has the measurement.
        if (processorCount == 1 || new NpgsqlConnectionStringBuilder(connectionString).SslMode == SslMode.Disable)
        {
            return null;
        }

        return Task.Run(static () =>
        {
            try
            {
                using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
                store.Open(OpenFlags.ReadOnly);
                // Copies of the cached ones, not needed: disposed now rather than left to the finalizer.
                foreach (var certificate in store.Certificates)
                {
                    certificate.Dispose();
                }
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // No store to load: the handshake will find out, and say so, on its own.
            }
        });
    }
}
