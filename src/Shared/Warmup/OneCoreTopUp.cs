using Npgsql;

namespace Prewarm.Warmup;

// The other N-1 connections on one core (StartupMode Background). There the first open is mostly CPU (TLS, auth, type
// loading, JIT), and CPU moved earlier is still on the same core: every other open, the free-slots query and their
// warm-up work, run before or beside the first request, make it slower than no warm-up at all (measured 1.13-1.36x).
// So after the first connection is warm the gate is Warm (WarmupRun settles it) and the rest waits here:
// - until the first invocation has been served (InFlightWatch: a command of this data source ended, and then nothing
//   was in flight for QuietTime), or until the app has run no command for IdleBound (an always-ready instance may see
//   no traffic for minutes, and its first burst wants the pool full);
// - then one connection at a time, each begun only in a pause (nothing busy, no gate pass or command for QuietTime).
// A Warm gate lets everyone through at once: a burst that arrives before the top-up is done opens its own connections,
// side by side, which is what those invocations would have had to wait for anyway (holding them at the gate for
// connections deferred by seconds could only make them slower, and hold them longer than any burst is worth); the pool
// then holds them idle, and the top-up adopts them (OpenPhysicalAsync hands back an idle connection it does not know)
// instead of opening more. Sequential traffic always finds the warm connection idle. The gate is held only for the
// instant a warm idle connection is out of the pool (a free-slots read; an open borrowing them), so that an invocation
// arriving then waits a moment instead of opening a cold connection beyond N.
internal sealed class OneCoreTopUp(
    NpgsqlDataSource dataSource, PrewarmSettings settings, TimeProvider time, PoolOpener opener, ConnectionWork work, ServerRoom room, InFlightWatch watch)
{
    public async Task<WarmupAttempt> RunAsync(WarmupAttempt first, ReadinessSignal signal, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var warmed = new List<int>(first.BackendPids);
        Exception? failure = null;
        int? freeSlots;
        using (watch.Listen())
        {
            // Real time, as InFlightWatch's waits: this waits for a real invocation.
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                await Task.WhenAny(watch.FirstCommand, Task.Delay(InFlightWatch.IdleBound, TimeProvider.System, idle.Token)).ConfigureAwait(false);
                await idle.CancelAsync().ConfigureAwait(false);
            }

            await watch.WaitUntilQuietAsync(cancellationToken).ConfigureAwait(false);
            bool plenty;
            using (signal.HoldGate())
            {
                var holder = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (holder.ConfigureAwait(false))
                {
                    freeSlots = settings.PgBouncer ? null : await ServerCapacity.FreeSlotsAsync(holder, cancellationToken).ConfigureAwait(false);
                    plenty = settings.PgBouncer || (freeSlots is { } free && !room.Full && FairShare.IsPlenty(free, first.Deferred));
                    if (!plenty)
                    {
                        // A server short of room: on a turn, as the warm-up on more cores, the gate held throughout (the
                        // holder is the warm connection). Rare; being refused would cost the pool, not just some CPU.
                        freeSlots = await opener.TopUpAsync(holder, first.Deferred, wait: true, IsKnown, WarmAsync, cancellationToken).ConfigureAwait(false) ?? freeSlots;
                    }
                }
            }

            // Bounded: a connection whose work fails stays idle and unknown, and would be found again and again.
            for (var i = 0; plenty && i < first.Deferred && warmed.Count < settings.WarmConnections; i++)
            {
                await watch.WaitUntilQuietAsync(cancellationToken).ConfigureAwait(false);
                var connection = await opener.OpenPhysicalAsync(IsKnown, cancellationToken, signal.HoldGate()).ConfigureAwait(false);
                if (IsKnown(connection.ProcessID))
                {
                    // Every connection it found idle was a warm one, N times over: nothing to do with this one.
                    await connection.DisposeAsync().ConfigureAwait(false);
                    continue;
                }

                await WarmAsync(connection, cancellationToken).ConfigureAwait(false);
            }
        }

        room.Holds(warmed.Count);
        var phases = new Dictionary<WarmupPhase, TimeSpan>(first.Phases) { [WarmupPhase.Rest] = time.GetElapsedTime(started) };
        return first with
        {
            BackendPids = warmed,
            Phases = phases,
            AllReady = first.AllReady + time.GetElapsedTime(started),
            WorkFailure = failure,
            FreeSlots = freeSlots,
            Deferred = 0,
        };

        bool IsKnown(int pid)
        {
            lock (warmed)
            {
                return warmed.Contains(pid);
            }
        }

        async Task WarmAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            await using (connection.ConfigureAwait(false))
            {
                if (!IsKnown(connection.ProcessID) && await work.TryWarmAsync(connection, warmed, ct).ConfigureAwait(false) is { } workFailure)
                {
                    Interlocked.CompareExchange(ref failure, workFailure, null);
                }
            }
        }
    }
}
