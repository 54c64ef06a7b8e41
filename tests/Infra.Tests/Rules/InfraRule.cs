using Prewarm.Infra.Tests.Arm;

namespace Prewarm.Infra.Tests.Rules;

/// <summary>One of the project's own rules for its infrastructure, checked on what the real compiler produced.</summary>
/// <param name="name">Short name the tests and their fixtures refer to, e.g. "shared-key".</param>
/// <param name="reads">What the rule reads: the compiled ARM JSON or the snapshot.</param>
internal abstract class InfraRule(string name, Compiled reads)
{
    public string Name { get; } = name;

    public Compiled Reads { get; } = reads;

    /// <summary>Every violation in the deployment, each a sentence naming the resource; empty when it passes.</summary>
    public abstract IEnumerable<string> Check(Deployment deployment);
}
