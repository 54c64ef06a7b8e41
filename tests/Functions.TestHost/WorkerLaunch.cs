namespace Prewarm.Functions.TestHost;

/// <summary>What the test host starts, and the bounds it waits within.</summary>
/// <param name="AppFolder">The app's build output: worker.config.json, functions.metadata, host.json.</param>
/// <param name="Settings">App settings, by configuration key (<c>ConnectionStrings:postgres</c>); passed as environment variables.</param>
public sealed record WorkerLaunch(string AppFolder, IReadOnlyDictionary<string, string?> Settings)
{
    /// <summary>The Functions host's own limit for a started worker to open its stream: 60 s.</summary>
    public TimeSpan StartStreamBound { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The Functions host's own limit for the answer to WorkerInitRequest: 10 s.</summary>
    public TimeSpan InitBound { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>For the function metadata and each function's load.</summary>
    public TimeSpan LoadBound { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>For one invocation, from request to response.</summary>
    public TimeSpan InvocationBound { get; init; } = TimeSpan.FromSeconds(60);
}
