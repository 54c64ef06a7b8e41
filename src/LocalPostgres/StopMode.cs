namespace Prewarm.LocalPostgres;

/// <summary>How <c>pg_ctl stop</c> shuts the server down.</summary>
public enum StopMode
{
    /// <summary>Roll back open transactions, disconnect clients, checkpoint (<c>-m fast</c>).</summary>
    Fast,

    /// <summary>Quit without a checkpoint, as a crash would (<c>-m immediate</c>).</summary>
    Immediate,
}
