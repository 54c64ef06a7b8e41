using Npgsql;

var builder = WebApplication.CreateBuilder(args);
builder.AddPrewarmedNpgsql("postgres");

var app = builder.Build();
app.UsePrewarmGate("postgres");
app.MapPrewarmReadiness("/ready", "postgres");
app.MapGet("/backend", async (NpgsqlDataSource dataSource, CancellationToken ct) =>
{
    await using var connection = await dataSource.OpenConnectionAsync(ct);
    await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
    return (int)(await command.ExecuteScalarAsync(ct))!;
});
app.Run();
