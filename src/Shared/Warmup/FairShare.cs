namespace Prewarm.Warmup;

// How many connections beyond its first an instance may take, from the free slots it sees on the server. Every
// instance holds one connection before any takes a second: the first is opened straight away (an instance that holds
// nothing has nothing to lose to a refused open), the others only on a turn (RoomTurn) that leaves Reserve slots free.
// Those slots are for instances that hold nothing yet: they cannot take part in a turn, so the reserve is what lets a
// starting instance in while the others top up.
internal static class FairShare
{
    // Slots a top-up never takes: room for the next instances' first connections. Two, so that two instances starting
    // in the instant another's top-up opens still find a slot, and a request that finds its pool busy for the length
    // of a keep-alive ping can still open one.
    public const int Reserve = 2;

    // Without a turn, N-1 connections are opened at once only when this many instances doing the same at the same
    // moment would still leave the reserve free. Below that the server is small or busy, and the turn's lock decides.
    public const int SimultaneousStarts = 8;

    /// <summary>True when the server has so much room that opening <paramref name="wanted"/> more needs no turn.</summary>
    public static bool IsPlenty(int freeSlots, int wanted) => freeSlots >= Reserve + SimultaneousStarts * wanted;

    /// <summary>Connections to open in a turn: what is wanted, bounded by what the server has beyond the reserve.</summary>
    public static int Grant(int wanted, int freeSlots) => Math.Clamp(freeSlots - Reserve, 0, Math.Max(wanted, 0));

    /// <summary>True when the pool should give one connection back: the reserve is gone and it holds more than one.</summary>
    public static bool ShouldShed(int freeSlots, int held) => freeSlots < Reserve && held > 1;
}
