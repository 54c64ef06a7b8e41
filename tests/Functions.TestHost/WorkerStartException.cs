namespace Prewarm.Functions.TestHost;

/// <summary>
/// The worker did not come up, or the test host's conversation with it failed: it crashed, never opened the stream,
/// answered with a failure or did not answer within the host's bound. The message is one line and ends with the
/// worker's last output.
/// </summary>
public sealed class WorkerStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkerStartException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WorkerStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public WorkerStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The worker's exit code when it had exited, else null.</summary>
    public int? ExitCode { get; init; }
}
