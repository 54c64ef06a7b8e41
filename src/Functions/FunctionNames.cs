namespace Prewarm.Functions;

// The names the host knows the functions by; the gate decides by name, so they live in one place.
internal static class FunctionNames
{
    public const string Warmup = "Warmup";
    public const string KeepAlive = "KeepAlive";
    public const string Health = "Health";
    public const string GetOrders = "GetOrders";
    public const string PlaceOrder = "PlaceOrder";

    // Warmup and KeepAlive are the functions that make the pool warm, so waiting for warm would deadlock them;
    // Health must answer while the pool is not warm, that is when it is needed.
    public static bool BypassGate(string functionName) =>
        functionName is Warmup or KeepAlive or Health;
}
