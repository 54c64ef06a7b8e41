using Microsoft.Extensions.Logging;
using Npgsql;
using Prewarm.Authentication;

namespace Prewarm.Configuration;

// Building an NpgsqlDataSource costs tens of milliseconds of JIT (its builder and type mapping), which on the main
// thread would lengthen the app's start-up by as much. So everything that can fail on the configuration runs here at
// once, and what is left, Build, is returned to run on the warm-up's own thread.
internal static class DataSourceFactory
{
    public static Func<NpgsqlDataSource> Prepare(
        PrewarmSettings settings,
        string connectionName,
        ILoggerFactory loggers,
        EntraTokenSource? tokenSource,
        Action<NpgsqlDataSourceBuilder>? configureDataSourceBuilder)
    {
        if (configureDataSourceBuilder is null)
        {
            // Nothing but the connection string can change it: check a cheap builder of that alone.
            var connectionString = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
            Finish(connectionString, settings, connectionName);
            var final = connectionString.ConnectionString;
            return () => Build(new NpgsqlDataSourceBuilder(final), loggers, tokenSource, connectionName);
        }

        // The app's delegate may touch anything on the builder, so it runs here, on the app's thread, before the checks.
        var builder = new NpgsqlDataSourceBuilder(settings.ConnectionString);
        configureDataSourceBuilder(builder);
        Finish(builder.ConnectionStringBuilder, settings, connectionName);
        return () => Build(builder, loggers, tokenSource, connectionName);
    }

    private static void Finish(NpgsqlConnectionStringBuilder connectionString, PrewarmSettings settings, string connectionName)
    {
        ConnectionStringDefaults.Apply(connectionString);
        ConnectionStringDefaults.ApplyPgBouncer(connectionString, settings, connectionName);
        ConnectionStringDefaults.KeepWarmConnections(connectionString, settings, connectionName);
    }

    private static NpgsqlDataSource Build(NpgsqlDataSourceBuilder builder, ILoggerFactory loggers, EntraTokenSource? tokenSource, string connectionName)
    {
        // Npgsql's metrics and traces name the pool after the data source (by default its connection string without the
        // password); the connection name tells it apart from other data sources, for InFlightWatch too.
        builder.Name ??= connectionName;
        builder.UseLoggerFactory(loggers);
        if (tokenSource is not null)
        {
            UseEntraPasswords(builder, tokenSource, connectionName);
        }

        return builder.Build();
    }

    private static void UseEntraPasswords(NpgsqlDataSourceBuilder dataSourceBuilder, EntraTokenSource tokenSource, string connectionName)
    {
        var connectionString = dataSourceBuilder.ConnectionStringBuilder;
        if (string.IsNullOrEmpty(connectionString.Username))
        {
            // The role name of an Entra principal is in its token. Setting Username avoids this early fetch; without
            // it the token is fetched here, once, and then reused by the warm-up.
            string? username;
            try
            {
                username = EntraCredentials.UsernameFromToken(tokenSource.GetPassword());
            }
            catch (EntraTokenException ex)
            {
                throw new InvalidOperationException($"Prewarm: 'ConnectionStrings:{connectionName}' has no Username and no Entra ID token could be had to read it from: {ex.Message}", ex);
            }

            connectionString.Username = username ?? throw new InvalidOperationException(
                $"Prewarm: 'ConnectionStrings:{connectionName}' has no Username and the Entra ID token names no principal; set Username to the identity's PostgreSQL role name.");
        }

        // Not UsePeriodicPasswordProvider: see EntraTokenSource for why refresh follows the token's expiry.
        dataSourceBuilder.UsePasswordProvider(_ => tokenSource.GetPassword(), (_, ct) => tokenSource.GetPasswordAsync(ct));
    }
}
