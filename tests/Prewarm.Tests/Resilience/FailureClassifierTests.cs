using System.Net.Sockets;
using Azure.Identity;
using Npgsql;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Prewarm.Authentication;
using Prewarm.Diagnostics;
using Prewarm.Resilience;

namespace Prewarm.Tests.Resilience;

// Real Npgsql exceptions, built through their public constructors, as Npgsql would raise them.
public sealed class FailureClassifierTests
{
    [Theory]
    [InlineData("57P01")] // admin_shutdown
    [InlineData("57P02")] // crash_shutdown
    [InlineData("57P03")] // cannot_connect_now
    [InlineData("53300")] // too_many_connections
    [InlineData("53400")] // configuration_limit_exceeded
    [InlineData("40001")] // serialization_failure
    [InlineData("40P01")] // deadlock_detected
    [InlineData("08000")] // connection_exception
    [InlineData("08001")] // sqlclient_unable_to_establish_sqlconnection
    [InlineData("08006")] // connection_failure
    public void IsTransient_ServerStateThatHealsOnItsOwn_IsTrue(string sqlState) =>
        Assert.True(FailureClassifier.IsTransient(Postgres(sqlState)));

    [Theory]
    [InlineData("28P01")] // invalid_password
    [InlineData("28000")] // invalid_authorization_specification (no pg_hba.conf entry)
    [InlineData("3D000")] // invalid_catalog_name: the database does not exist
    [InlineData("42P01")] // undefined_table, in a warm-up query
    [InlineData("42601")] // syntax_error, in a warm-up query
    [InlineData("53100")] // disk_full: Npgsql calls it transient, but it needs a person
    public void IsTransient_StateThatNeedsAPerson_IsFalse(string sqlState) =>
        Assert.False(FailureClassifier.IsTransient(Postgres(sqlState)));

    [Fact]
    public void IsTransient_SqlStateNpgsqlCallsTransient_FollowsTheClassifiersOwnTable()
    {
        var diskFull = Postgres("53100");

        // The premise: a classifier that fell back to Npgsql's own verdict would retry this one.
        Assert.True(diskFull.IsTransient);
        Assert.False(FailureClassifier.IsTransient(diskFull));
    }

    public static TheoryData<Exception> NetworkFailures => new()
    {
        new SocketException((int)SocketError.ConnectionRefused),
        new TimeoutException("connect timeout"),
        new IOException("stream closed"),
        new EndOfStreamException(),
        new NpgsqlException("Exception while connecting", new SocketException((int)SocketError.ConnectionReset)),
        new NpgsqlException("Exception while reading from stream", new IOException("reset")),
        new NpgsqlException("The operation has timed out", new TimeoutException()),
    };

    [Theory]
    [MemberData(nameof(NetworkFailures))]
    public void IsTransient_NetworkOrTimeoutFailure_IsTrue(Exception failure) =>
        Assert.True(FailureClassifier.IsTransient(failure));

    [Fact]
    public void IsTransient_PollyTimeoutOrOpenCircuit_IsTrue()
    {
        Assert.True(FailureClassifier.IsTransient(new TimeoutRejectedException()));
        Assert.True(FailureClassifier.IsTransient(new BrokenCircuitException()));
    }

    public static TheoryData<Exception> Bugs => new()
    {
        new InvalidOperationException("a bug in the warm-up work"),
        new ArgumentException("bad argument"),
        new NpgsqlException("no inner cause"),
        new NpgsqlException("wraps a bug", new InvalidOperationException()),
    };

    [Theory]
    [MemberData(nameof(Bugs))]
    public void IsTransient_NeitherServerNorNetwork_IsFalse(Exception failure) =>
        Assert.False(FailureClassifier.IsTransient(failure));

    [Fact]
    public void IsTransient_EntraTokenTimeout_IsTrue()
    {
        var failure = EntraTokenException.From(new TimeoutException(), TimeSpan.FromSeconds(10), Redactor());

        Assert.True(FailureClassifier.IsTransient(failure));
    }

    [Fact]
    public void IsTransient_EntraCredentialUnavailable_IsFalse()
    {
        var failure = EntraTokenException.From(new CredentialUnavailableException("no identity"), TimeSpan.FromSeconds(10), Redactor());

        Assert.False(FailureClassifier.IsTransient(failure));
    }

    [Theory]
    [InlineData("57P01", true)]
    [InlineData("57P02", true)]
    [InlineData("57P03", true)]
    [InlineData("08006", true)]
    [InlineData("08001", true)]
    [InlineData("53300", false)] // the server is there, only full
    [InlineData("40001", false)]
    [InlineData("28P01", false)]
    [InlineData("3D000", false)]
    public void IsServerGone_PostgresError_ByItsSqlState(string sqlState, bool gone) =>
        Assert.Equal(gone, FailureClassifier.IsServerGone(Postgres(sqlState)));

    public static TheoryData<Exception> PathGone => new()
    {
        new SocketException((int)SocketError.ConnectionRefused),
        new IOException("stream closed"),
        new NpgsqlException("Exception while reading from stream", new IOException("reset")),
        new NpgsqlException("Exception while connecting", new SocketException((int)SocketError.HostUnreachable)),
        new NpgsqlException("The operation has timed out", new TimeoutException()),
        new NpgsqlException("outer", new NpgsqlException("inner", new IOException("reset"))),
    };

    [Theory]
    [MemberData(nameof(PathGone))]
    public void IsServerGone_NetworkFailure_IsTrue(Exception failure) =>
        Assert.True(FailureClassifier.IsServerGone(failure));

    public static TheoryData<Exception> ServerStillThere => new()
    {
        // A bare timeout is the warm-up's own deadline or a slow query, not a lost connection.
        new TimeoutException("The warm-up did not finish within WarmupTimeout"),
        new TimeoutRejectedException(),
        new BrokenCircuitException(),
        new NpgsqlException("no inner cause"),
        new InvalidOperationException("a bug in the warm-up work"),
    };

    [Theory]
    [MemberData(nameof(ServerStillThere))]
    public void IsServerGone_NoSignOfALostServer_IsFalse(Exception failure) =>
        Assert.False(FailureClassifier.IsServerGone(failure));

    [Fact]
    public void IsNoRoom_TooManyConnections_IsTrue() =>
        Assert.True(FailureClassifier.IsNoRoom(Postgres("53300")));

    [Fact]
    public void IsNoRoom_TooManyConnectionsWrapped_IsTrue() =>
        Assert.True(FailureClassifier.IsNoRoom(new InvalidOperationException("warm-up failed", Postgres("53300"))));

    [Theory]
    [InlineData("53400")]
    [InlineData("57P03")]
    [InlineData("28P01")]
    public void IsNoRoom_OtherSqlState_IsFalse(string sqlState) =>
        Assert.False(FailureClassifier.IsNoRoom(Postgres(sqlState)));

    [Fact]
    public void IsNoRoom_NetworkFailure_IsFalse() =>
        Assert.False(FailureClassifier.IsNoRoom(new SocketException((int)SocketError.ConnectionRefused)));

    [Fact]
    public void SqlStateOf_PostgresError_IsItsSqlState() =>
        Assert.Equal("3D000", FailureClassifier.SqlStateOf(Postgres("3D000")));

    [Fact]
    public void SqlStateOf_PostgresErrorTwoLevelsDown_IsItsSqlState()
    {
        var failure = new InvalidOperationException("outer", new NpgsqlException("middle", Postgres("28P01")));

        Assert.Equal("28P01", FailureClassifier.SqlStateOf(failure));
    }

    [Fact]
    public void SqlStateOf_NoPostgresErrorInTheChain_IsNull() =>
        Assert.Null(FailureClassifier.SqlStateOf(new NpgsqlException("outer", new IOException("reset"))));

    private static PostgresException Postgres(string sqlState) =>
        new($"server error {sqlState}", "FATAL", "FATAL", sqlState);

    private static SecretRedactor Redactor() => new(new NpgsqlConnectionStringBuilder("Host=localhost;Password=not-a-real-secret"));
}
