namespace Prewarm.Lab.Probe;

/// <summary>One measured (or derived) step of a cold connection. <paramref name="How"/> says which, honestly.</summary>
internal sealed record ProbePhase(string Name, TimeSpan Duration, string How);

/// <summary>What the probe found; <see cref="FailedPhase"/> is set when it stopped early, and the phases before it still stand.</summary>
internal sealed record ProbeResult(
    IReadOnlyList<ProbePhase> Phases, TimeSpan? RttEstimate, IReadOnlyList<string> Advice, string? FailedPhase, string? Failure)
{
    public TimeSpan? Phase(string name) => Phases.FirstOrDefault(p => p.Name == name)?.Duration;
}
