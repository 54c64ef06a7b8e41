namespace Prewarm.Functions.Worker;

/// <summary>
/// A non-HTTP invocation was not run because the database was not warm within the gate timeout. The trigger's own
/// retry policy (queue redelivery, timer's next occurrence) decides what happens next.
/// </summary>
public sealed class DatabaseNotReadyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatabaseNotReadyException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DatabaseNotReadyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public DatabaseNotReadyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
