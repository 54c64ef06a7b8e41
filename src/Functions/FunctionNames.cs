namespace Prewarm.Functions;

// The names the host knows the app's own functions by. Warmup and KeepAlive come with Prewarm.Functions.Worker.
internal static class FunctionNames
{
    public const string Health = "Health";
    public const string GetOrders = "GetOrders";
    public const string PlaceOrder = "PlaceOrder";
}
