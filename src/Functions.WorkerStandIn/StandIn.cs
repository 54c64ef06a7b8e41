namespace Microsoft.Azure.Functions.Worker;

// Not upstream: the one message every host-only member of the stand-in throws with.
internal static class StandIn
{
    public static NotSupportedException HostRequired(string member) => new(
        $"{member} needs the Azure Functions worker host. This build uses the compile-only stand-in " +
        "(PrewarmWorkerStandIn=true); build without it to get the real Microsoft.Azure.Functions.Worker packages and run with 'func start'.");
}
