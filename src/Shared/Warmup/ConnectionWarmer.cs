using System.Net;
using Npgsql;
using Prewarm.Authentication;

namespace Prewarm.Warmup;

// One warm-up attempt: the first connection alone, then the other N-1 side by side (opening them one after another
// would cost N round-trip chains instead of two), the app's work run on each, each handed back to the pool idle.
internal sealed class ConnectionWarmer(
    NpgsqlDataSource dataSource, PrewarmSettings settings, TimeProvider time, EntraTokenSource? tokenSource, string host, string name, PoolOpener opener, ConnectionWork work, ServerRoom room)
{
    public const WarmupPhase TokenPhase = WarmupPhase.Token;
    public const WarmupPhase OpenPhase = WarmupPhase.Open;
    public const WarmupPhase WorkPhase = WarmupPhase.Work;
    public const WarmupPhase RestPhase = WarmupPhase.Rest;

    // One core, Background: the other N-1 are left to OneCoreTopUp (after the first invocation, in pauses). With
    // BlockUntilWarm nobody is served before all N are warm, so there is nothing to yield to. A first connection whose
    // work failed is not deferred from: the attempt takes today's path, whose retries and reports know that case.
    private bool DefersRest => settings.ProcessorCount == 1 && settings.StartupMode == PrewarmStartupMode.Background && settings.WarmConnections > 1;

    // How long the other N-1 wait for the first invocation's query (InFlightWatch.FirstCommand) before they open anyway: an
    // invocation that passed the gate but never queries must not hold them back for longer than a slow query takes.
    // Real time, not the injected clock: it bounds a wait for a real query, which no test clock drives.
    private static readonly TimeSpan FirstUseWait = TimeSpan.FromSeconds(1);

    // The first connection is opened and warmed alone: its open JIT-compiles the driver's connect path and loads the
    // server's types, and its work compiles the app's query path, so every later connection costs only the network.
    // It goes back to the pool idle at once and the gate lets one invocation through; the others follow side by side,
    // each handed back as soon as its own work is done, and never start before the first's work is done. When exactly
    // one invocation is waiting for it (the usual cold start: the app accepted a request before the warm-up ended),
    // the others wait until that invocation has run its query, so they do not compete with it for the CPU.
    public async Task<WarmupAttempt> WarmOnceAsync(ReadinessSignal readiness, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var phases = new Dictionary<WarmupPhase, TimeSpan>();
        var warmed = new List<int>();
        Exception? workFailure = null;
        TimeSpan? firstReady = null;
        int? freeSlots = null;
        try
        {
            if (tokenSource is not null)
            {
                // The token comes before the first open, and the name lookup Open would do anyway runs beside it.
                await Task.WhenAll(tokenSource.EnsureTokenAsync(cancellationToken), ResolveHostAsync(cancellationToken)).ConfigureAwait(false);
                phases[TokenPhase] = time.GetElapsedTime(started);
            }

            var openStarted = time.GetTimestamp();
            var rest = settings.WarmConnections - 1;
            Task<NpgsqlConnection>[] opening = [];
            InFlightWatch? watch = null;
            IDisposable? listening = null;
            Task? nextWaiter = null;
            var restBeyond = rest;
            long restStarted;
            var defer = false;
            var first = await RentAgainAsync(await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            await using (first.ConfigureAwait(false))
            {
                phases[OpenPhase] = time.GetElapsedTime(openStarted);
                var workStarted = time.GetTimestamp();
                workFailure = await work.TryWarmAsync(first, warmed, cancellationToken).ConfigureAwait(false);
                phases[WorkPhase] = time.GetElapsedTime(workStarted);

                restStarted = time.GetTimestamp();
                // One core: the others are OneCoreTopUp's, after the first invocation; not even the free slots now.
                defer = DefersRest && workFailure is null;
                var others = defer ? 0 : rest;
                if (others > 0 && !settings.PgBouncer)
                {
                    // One round trip, before the first is handed over: whether the others may open without a turn.
                    freeSlots = await ServerCapacity.FreeSlotsAsync(first, cancellationToken).ConfigureAwait(false);
                }

                var plenty = settings.PgBouncer || (freeSlots is { } free && !room.Full && FairShare.IsPlenty(free, rest));
                if (others > 0 && workFailure is null && plenty && readiness.Waiting == 1)
                {
                    // Begun before the first is handed over: the invocation's query is the next command. A second
                    // invocation that has to wait wants another connection at once. Only with plenty of room: the
                    // others are then opened without a turn, the first no longer held to take one on.
                    nextWaiter = readiness.NextWaiter;
                    watch = new InFlightWatch(name);
                    listening = watch.Listen();
                }
                else if (others > 0)
                {
                    (opening, freeSlots) = await BeginRestAsync(first, rest, plenty, freeSlots, warmed, WarmAsync, cancellationToken).ConfigureAwait(false);
                }
            }

            if (workFailure is null)
            {
                firstReady = time.GetElapsedTime(started);
            }

            if (workFailure is null && !defer)
            {
                readiness.ConnectionReady();
            }
            else if (defer)
            {
                // The run settles the gate Warm with this one connection: every waiter passes (OneCoreTopUp says why).
                return new WarmupAttempt(warmed, phases, firstReady, time.GetElapsedTime(started), null, null, Deferred: rest);
            }

            if (watch is not null)
            {
                using (listening)
                {
                    using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    await Task.WhenAny(watch.FirstCommand, nextWaiter!, Task.Delay(FirstUseWait, TimeProvider.System, bound.Token)).ConfigureAwait(false);
                    await bound.CancelAsync().ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                restStarted = time.GetTimestamp();
                // The second connection next, alone (its handshake is all that may still overlap the invocation's last
                // steps), then the others side by side. Each window in which the warm ones are taken from the pool, so
                // that an open must go to the server, is one instant; no turn: the room was judged plenty before.
                await WarmAsync(await opener.OpenPhysicalAsync(pid => IsKnown(warmed, pid), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                opening = await opener.BeginBesideWarmAsync(Math.Min(rest - 1, settings.MaxParallelOpens), pid => IsKnown(warmed, pid), cancellationToken).ConfigureAwait(false);
                restBeyond = rest - 1;
            }

            async Task WarmAsync(NpgsqlConnection connection, CancellationToken ct)
            {
                await using (connection.ConfigureAwait(false))
                {
                    // Never warmed or counted twice.
                    if (IsKnown(warmed, connection.ProcessID))
                    {
                        return;
                    }

                    if (await work.TryWarmAsync(connection, warmed, ct).ConfigureAwait(false) is { } failure)
                    {
                        Interlocked.CompareExchange(ref workFailure, failure, null);
                        return;
                    }
                }

                readiness.ConnectionReady();
            }

            if (opening.Length > 0)
            {
                await Task.WhenAll(opening.Select(async open =>
                {
                    var connection = await open.ConfigureAwait(false);
                    if (IsKnown(warmed, connection.ProcessID))
                    {
                        // Begun while the invocation held the first, this open got it back once it was idle: a new one instead.
                        await connection.DisposeAsync().ConfigureAwait(false);
                        connection = await opener.OpenPhysicalAsync(pid => IsKnown(warmed, pid), cancellationToken).ConfigureAwait(false);
                    }

                    await WarmAsync(connection, cancellationToken).ConfigureAwait(false);
                })).ConfigureAwait(false);
                // Beyond MaxParallelOpens the pool holds warm idle connections by now, so a new physical one is opened by
                // borrowing those for an instant (OpenPhysicalAsync).
                await opener.ForEachConnectionAsync(restBeyond - opening.Length, async (_, ct) =>
                    await WarmAsync(await opener.OpenPhysicalAsync(pid => IsKnown(warmed, pid), ct).ConfigureAwait(false), ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }

            phases[RestPhase] = time.GetElapsedTime(restStarted);

            if (warmed.Count == 0)
            {
                // The work failed on every connection: the app's warm-up is broken, or the server is.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(workFailure!);
            }

            room.Holds(warmed.Count);
            return new WarmupAttempt(warmed, phases, firstReady, time.GetElapsedTime(started), workFailure, freeSlots);
        }
        catch (Exception ex)
        {
            room.Failed(ex);
            throw;
        }
    }

    // The request path's pool steps, compiled here rather than on the first request: Open that finds an IDLE connector
    // and Close that hands one back are other code than the physical open the warm-up otherwise only ever does
    // (measured in a generic host: the first request after a warm-up cost 1.67x a warm one before this). The new
    // connection goes back idle and is rented again at once: Npgsql hands out its idle connector, this one.
    private async Task<NpgsqlConnection> RentAgainAsync(NpgsqlConnection opened, CancellationToken cancellationToken)
    {
        await opened.DisposeAsync().ConfigureAwait(false);
        return await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    // Begins the other connections while `holder` is held, so with no idle connection in the pool each goes to the
    // server for a new one (begun after it is back, they could take it from under the invocation the gate lets
    // through, which would then open a cold connection of its own). A refused open among them would make Npgsql clear
    // the pool, the held one included, so they are opened at once only when the caller found plenty of room
    // (FairShare), and otherwise on a turn (RoomTurn) taken on the held one, opened and warmed here.
    private async Task<(Task<NpgsqlConnection>[] Opening, int? FreeSlots)> BeginRestAsync(
        NpgsqlConnection holder, int rest, bool plenty, int? freeSlots, List<int> warmed, Func<NpgsqlConnection, CancellationToken, Task> warm, CancellationToken cancellationToken)
    {
        if (!plenty)
        {
            return ([], await opener.TopUpAsync(holder, rest, wait: true, pid => IsKnown(warmed, pid), warm, cancellationToken).ConfigureAwait(false) ?? freeSlots);
        }

        return ([.. Enumerable.Range(0, Math.Min(rest, settings.MaxParallelOpens)).Select(_ => dataSource.OpenConnectionAsync(cancellationToken).AsTask())], freeSlots);
    }

    private static bool IsKnown(List<int> warmed, int pid)
    {
        lock (warmed)
        {
            return warmed.Contains(pid);
        }
    }

    // Warms the resolver's cache; a failure here is left for Open to report with its own context.
    private async Task ResolveHostAsync(CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out _) || host.Contains(',', StringComparison.Ordinal) || host.StartsWith('/'))
        {
            return;
        }

        try
        {
            await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException)
        {
        }
    }

}

internal sealed record WarmupAttempt(
    IReadOnlyList<int> BackendPids, IReadOnlyDictionary<WarmupPhase, TimeSpan> Phases, TimeSpan? FirstReady, TimeSpan AllReady, Exception? WorkFailure, int? FreeSlots, int Deferred = 0);
