namespace Prewarm;

/// <summary>How the host's start relates to the warm-up.</summary>
public enum PrewarmStartupMode
{
    /// <summary>Warm-up starts when the host starts and runs in the background; start is never delayed. Invocations wait at the gate.</summary>
    Background,

    /// <summary>Host start waits until warm, at most <see cref="PrewarmSettings.StartupTimeout"/>; after that the host starts anyway and warm-up goes on in the background.</summary>
    BlockUntilWarm,
}
