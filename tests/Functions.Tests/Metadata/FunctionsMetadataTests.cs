using System.Text.Json;
using Prewarm.Functions.Tests.Infrastructure;

namespace Prewarm.Functions.Tests.Metadata;

// The host knows the functions only from the functions.metadata the SDK's generator writes at build time: a trigger
// it does not list, a wrong route or a literal schedule would ship silently. This reads the real file.
public sealed class FunctionsMetadataTests
{
    private static readonly JsonElement[] s_functions = Read();

    [Fact]
    public void Warmup_IsNamedWarmup_WithTheWarmupTrigger()
    {
        // The host invokes a warmup function only if it is named exactly "Warmup".
        var trigger = Trigger("Warmup");
        Assert.Equal("warmupTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("In", trigger.GetProperty("direction").GetString());
    }

    [Fact]
    public void KeepAlive_HasTheTimerTrigger_OnTheAppSettingSchedule()
    {
        var trigger = Trigger("KeepAlive");
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("%Prewarm:KeepAliveSchedule%", trigger.GetProperty("schedule").GetString());
    }

    [Theory]
    [InlineData("Health", "get", "health")]
    [InlineData("GetOrders", "get", "customers/{customerId:int}/orders")]
    [InlineData("PlaceOrder", "post", "customers/{customerId:int}/orders")]
    public void HttpFunction_HasItsRouteMethodAndFunctionKey(string name, string method, string route)
    {
        var trigger = Trigger(name);
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
        Assert.Contains(Function(name).GetProperty("bindings").EnumerateArray(), b =>
            b.GetProperty("type").GetString() == "http" && b.GetProperty("direction").GetString() == "Out");
    }

    [Fact]
    public void Metadata_ListsExactlyTheAppsFunctions()
    {
        Assert.Equal(
            ["GetOrders", "Health", "KeepAlive", "PlaceOrder", "Warmup"],
            s_functions.Select(f => f.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
    }

    private static JsonElement Function(string name) =>
        Assert.Single(s_functions, f => f.GetProperty("name").GetString() == name);

    private static JsonElement Trigger(string name) =>
        Assert.Single(Function(name).GetProperty("bindings").EnumerateArray(), b =>
            b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static JsonElement[] Read()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppFolder.Path, "functions.metadata")));
        return document.RootElement.EnumerateArray().Select(f => f.Clone()).ToArray();
    }
}
