using Prewarm.Lab.Cli;

namespace Prewarm.Lab.Tests;

public sealed class ProbeTests
{
    [Fact]
    public async Task Probe_EmbeddedDatabase_TakesTheConnectionApart_AndAdvises()
    {
        var run = await LabRun.RunAsync(["probe", "--rtt", "2"]);

        Assert.True(run.ExitCode == LabApp.Ok, run.Error);
        foreach (var phase in new[] { "DNS", "TCP connect", "TLS request", "TLS handshake", "GSS encryption request", "cold open", "authentication + startup", "type loading", "first query", "second query" })
        {
            Assert.Contains(phase, run.Output, StringComparison.Ordinal);
        }

        Assert.Contains("RTT estimate", run.Output, StringComparison.Ordinal);
        Assert.Contains("GSS Encryption Mode=Disable", run.Output, StringComparison.Ordinal);
        Assert.Contains("WarmConnections", run.Output, StringComparison.Ordinal);
    }
}
