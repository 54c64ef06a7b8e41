using System.Diagnostics.Metrics;

namespace Prewarm.Functions.Worker;

// Invocations by what the gate found: warm on arrival, cold (waited, then ran) or rejected. The library's meter
// "Prewarm" counts gate waits per data source; this one counts invocations per function, which is what a cold-start
// dashboard plots.
internal sealed class GateMetrics
{
    public const string MeterName = "Prewarm.Functions";
    public const string InvocationsInstrument = "prewarm.functions.invocations";

    private readonly Counter<long> _invocations;

    public GateMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _invocations = meter.CreateCounter<long>(
            InvocationsInstrument, unit: "{invocation}", description: "Function invocations by the pool's state when they reached the gate.");
    }

    public void Warm(string functionName) => Record(functionName, "warm");

    public void Cold(string functionName) => Record(functionName, "cold");

    public void Rejected(string functionName) => Record(functionName, "rejected");

    private void Record(string functionName, string outcome) =>
        _invocations.Add(1, new KeyValuePair<string, object?>("faas.name", functionName), new KeyValuePair<string, object?>("prewarm.gate", outcome));
}
