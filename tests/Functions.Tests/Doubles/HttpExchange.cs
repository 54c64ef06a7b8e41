using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Prewarm.Functions.Tests.Doubles;

/// <summary>
/// Stands in for the request the ASP.NET Core integration proxies from the host: a DefaultHttpContext whose response
/// body can be read back, and the execution of a function's IResult on it, as FunctionsHttpProxyingMiddleware does.
/// </summary>
internal sealed class HttpExchange
{
    public HttpExchange(IServiceProvider services, string method = "GET", string? query = null, string? jsonBody = null)
    {
        Context = new DefaultHttpContext { RequestServices = services };
        Context.Request.Method = method;
        Context.Request.Scheme = "http";
        Context.Request.Host = new HostString("localhost");
        if (query is not null)
        {
            Context.Request.QueryString = new QueryString(query);
        }

        if (jsonBody is not null)
        {
            Context.Request.ContentType = "application/json";
            Context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(jsonBody));
        }

        Context.Response.Body = new MemoryStream();
    }

    public DefaultHttpContext Context { get; }

    public HttpRequest Request => Context.Request;

    public int Status => Context.Response.StatusCode;

    public string Body => Encoding.UTF8.GetString(((MemoryStream)Context.Response.Body).ToArray());

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public async Task<HttpExchange> ExecuteAsync(IResult result)
    {
        await result.ExecuteAsync(Context);
        return this;
    }
}
