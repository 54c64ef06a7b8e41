using System.Text;
using Azure.Core;
using Prewarm.LocalPostgres;

namespace Prewarm.Tests.Infrastructure;

// Stands in for Microsoft Entra ID, which cannot exist here. Every token it issues becomes the real password of a
// real role (ALTER ROLE ... PASSWORD) before it is handed out, so the server really checks each one, and a
// connection opened with an old token after a rotation really fails.
public sealed class RolePasswordCredential(PostgresCluster cluster, string role, TimeProvider time, TimeSpan lifetime) : TokenCredential
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public List<(string Token, DateTimeOffset IssuedAt, DateTimeOffset ExpiresOn)> Issued { get; } = [];

    /// <summary>When set, each request waits for it (a slow managed-identity endpoint).</summary>
    public Task? Gate { get; set; }

    /// <summary>When set, each request fails with it.</summary>
    public Func<Exception>? Failure { get; set; }

    /// <summary>When set, tokens are JWT-shaped with these payload claims (for username discovery).</summary>
    public string? ClaimsJson { get; set; }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Assert.Equal(["https://ossrdbms-aad.database.windows.net/.default"], requestContext.Scopes);
        var call = Interlocked.Increment(ref _calls);
        if (Gate is not null)
        {
            await Gate.WaitAsync(cancellationToken);
        }

        if (Failure is not null)
        {
            throw Failure();
        }

        var secret = $"tok{call}-{Guid.NewGuid():N}";
        var token = ClaimsJson is null ? secret : $"eyJhbGciOiJub25lIn0.{Base64Url(ClaimsJson)}.{secret}";
        await cluster.ExecuteAsync($"ALTER ROLE \"{role}\" PASSWORD '{token}'", ct: CancellationToken.None);
        var now = time.GetUtcNow();
        lock (Issued)
        {
            Issued.Add((token, now, now + lifetime));
        }

        return new AccessToken(token, now + lifetime);
    }

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
