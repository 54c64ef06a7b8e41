using Microsoft.Extensions.Time.Testing;
using Prewarm.KeepAlive;

namespace Prewarm.Tests.KeepAlive;

// Retirement ages are random, but only inside bounds the ledger promises: the window (70 %..90 % of the lifetime)
// and, for connections added together, one slice of it each. The assertions sit on those bounds, never inside them.
public sealed class PoolLedgerTests
{
    private static readonly TimeSpan s_lifetime = TimeSpan.FromSeconds(100);

    // Written out rather than read from PoolLedger's constants, so that changing the window fails these tests.
    private static readonly TimeSpan s_earliest = TimeSpan.FromSeconds(70);
    private static readonly TimeSpan s_latest = TimeSpan.FromSeconds(90);

    private readonly FakeTimeProvider _time = new();
    private readonly PoolLedger _ledger;

    public PoolLedgerTests() => _ledger = new PoolLedger(s_lifetime, _time);

    [Fact]
    public void IsDue_JustBeforeTheWindow_IsFalseForEveryConnection()
    {
        int[] pids = [1, 2, 3, 4, 5];
        _ledger.Add(pids);

        _time.Advance(s_earliest - TimeSpan.FromTicks(1));

        Assert.All(pids, pid => Assert.False(_ledger.IsDue(pid)));
    }

    [Fact]
    public void IsDue_AtTheWindowsEnd_IsTrueForEveryConnection()
    {
        int[] pids = [1, 2, 3, 4, 5];
        _ledger.Add(pids);

        _time.Advance(s_latest);

        Assert.All(pids, pid => Assert.True(_ledger.IsDue(pid)));
    }

    [Fact]
    public void Add_ConnectionsTogether_RetireOnePerSliceOfTheWindow()
    {
        const int count = 10;
        var pids = Enumerable.Range(100, count).ToArray();
        var slice = (s_latest - s_earliest) / count;
        _ledger.Add(pids);
        _time.Advance(s_earliest);

        // At the end of slice k exactly k connections are due: never two in one pass by chance.
        for (var k = 1; k <= count; k++)
        {
            _time.Advance(slice);
            Assert.Equal(k, pids.Count(_ledger.IsDue));
        }
    }

    [Fact]
    public void Add_Later_AgesFromItsOwnAdd()
    {
        _ledger.Add([1]);
        _time.Advance(TimeSpan.FromSeconds(50));
        _ledger.Add([2]);

        _time.Advance(TimeSpan.FromSeconds(40));

        Assert.True(_ledger.IsDue(1));
        Assert.False(_ledger.IsDue(2));
    }

    [Fact]
    public void Add_KnownPidAgain_RestartsItsAge()
    {
        _ledger.Add([1]);
        _time.Advance(s_latest);

        _ledger.Add([1]);

        Assert.False(_ledger.IsDue(1));
        Assert.Equal(1, _ledger.Count);
    }

    [Fact]
    public void Add_NoLifetime_NeverDue()
    {
        var ledger = new PoolLedger(TimeSpan.Zero, _time);
        ledger.Add([1, 2]);

        _time.Advance(TimeSpan.FromDays(365));

        Assert.False(ledger.IsDue(1));
        Assert.False(ledger.IsDue(2));
    }

    [Fact]
    public void IsDue_UnknownPid_IsFalse()
    {
        _ledger.Add([1]);
        _time.Advance(s_latest);

        Assert.False(_ledger.IsDue(2));
    }

    [Fact]
    public void NeverRetire_DueConnection_IsNoLongerDueButStillKnown()
    {
        _ledger.Add([1, 2]);
        _time.Advance(s_latest);

        _ledger.NeverRetire(1);

        Assert.False(_ledger.IsDue(1));
        Assert.True(_ledger.Contains(1));
        Assert.True(_ledger.IsDue(2));
    }

    [Fact]
    public void NeverRetire_UnknownPid_AddsNothing()
    {
        _ledger.NeverRetire(1);

        Assert.False(_ledger.Contains(1));
        Assert.Equal(0, _ledger.Count);
    }

    [Fact]
    public void RetainOnly_DropsEveryPidNotInTheSetAndAddsNone()
    {
        _ledger.Add([1, 2, 3]);

        _ledger.RetainOnly([2, 3, 4]);

        Assert.Equal(2, _ledger.Count);
        Assert.False(_ledger.Contains(1));
        Assert.True(_ledger.Contains(2));
        Assert.True(_ledger.Contains(3));
        Assert.False(_ledger.Contains(4));
    }

    [Fact]
    public void RetainOnly_KeptConnection_KeepsItsAge()
    {
        _ledger.Add([1, 2]);
        _time.Advance(s_latest);

        _ledger.RetainOnly([1]);

        Assert.True(_ledger.IsDue(1));
    }

    [Fact]
    public void Clear_RemovesEveryConnection()
    {
        _ledger.Add([1, 2, 3]);

        _ledger.Clear();

        Assert.Equal(0, _ledger.Count);
        Assert.False(_ledger.Contains(1));
    }
}
