using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Npgsql;

namespace ConsumerFunctionApp;

// The app's own function: answers with the server process id of the connection it ran on, so the test can tell a
// warmed backend from a cold one of the request's own.
public sealed class Backend(NpgsqlDataSource dataSource)
{
    [Function("Backend")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "backend")] HttpRequest request)
    {
        await using var connection = await dataSource.OpenConnectionAsync(request.HttpContext.RequestAborted);
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var pid = (int)(await command.ExecuteScalarAsync(request.HttpContext.RequestAborted))!;
        return Results.Text(pid.ToString(CultureInfo.InvariantCulture));
    }
}
