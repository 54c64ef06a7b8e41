namespace Prewarm.LocalPostgres.Network;

/// <summary>What the network behind a <see cref="NetworkProxy"/> does to the traffic.</summary>
public enum FaultMode
{
    /// <summary>Bytes flow both ways, after the added round-trip time.</summary>
    Pass,

    /// <summary>New connections are accepted and never answered; bytes of existing flows vanish. Like a silent firewall drop or a dead load balancer.</summary>
    BlackHole,

    /// <summary>Existing flows and every new connection are reset (RST), as a load balancer does after its idle cut.</summary>
    Reset,
}
