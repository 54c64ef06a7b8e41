namespace Prewarm.Functions.Worker;

// The names the host knows the package's functions by. The host invokes a warmup function only if it is named exactly
// "Warmup", so an app must not declare a function of that name beside this package's.
internal static class PrewarmFunctionNames
{
    public const string Warmup = "Warmup";
    public const string KeepAlive = "KeepAlive";
}
