using System.Text;
using Prewarm.Authentication;

namespace Prewarm.Tests.Authentication;

public sealed class EntraCredentialsTests
{
    [Theory]
    [InlineData("""{"xms_mirid":"/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-prewarm"}""", "id-prewarm")]
    [InlineData("""{"upn":"dev@contoso.com","preferred_username":"other"}""", "dev@contoso.com")]
    [InlineData("""{"preferred_username":"dev@contoso.com"}""", "dev@contoso.com")]
    [InlineData("""{"appid":"00000000-0000-0000-0000-000000000001"}""", "00000000-0000-0000-0000-000000000001")]
    public void UsernameFromToken_FollowsTheClaimOrder(string claims, string expected)
    {
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(claims)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(expected, EntraCredentials.UsernameFromToken($"e30.{payload}.sig"));
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.!!!.c")]
    [InlineData("e30.e30.sig")]
    public void UsernameFromToken_NoPrincipal_IsNull(string token) => Assert.Null(EntraCredentials.UsernameFromToken(token));
}
