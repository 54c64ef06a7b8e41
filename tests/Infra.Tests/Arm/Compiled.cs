namespace Prewarm.Infra.Tests.Arm;

/// <summary>What the Bicep CLI is asked to produce for a <see cref="Deployment"/>.</summary>
[Flags]
internal enum Compiled
{
    /// <summary>The ARM JSON of <c>bicep build</c>.</summary>
    Template = 1,

    /// <summary>The predicted resources of <c>bicep snapshot</c>.</summary>
    Snapshot = 2,
}
