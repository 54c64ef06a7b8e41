namespace Prewarm.Lab.Cli;

/// <summary>A failure the user can act on; its message is printed as the one error line, never with a stack trace.</summary>
internal sealed class LabException : Exception
{
    public LabException(string message)
        : base(message)
    {
    }

    public LabException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public LabException()
    {
    }
}
