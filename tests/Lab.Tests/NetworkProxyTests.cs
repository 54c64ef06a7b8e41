using System.Net.Sockets;
using Prewarm.Lab.Proxy;
using Prewarm.LocalPostgres.Network;

namespace Prewarm.Lab.Tests;

public sealed class NetworkProxyTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(20)]
    public async Task RoundTrip_AddsAtLeastTheConfiguredRtt(int rttMs)
    {
        var calibration = await ProxyCalibration.MeasureAsync(TimeSpan.FromMilliseconds(rttMs), CancellationToken.None);

        // A lower bound is behaviour (the delay is really added); an upper bound would be a timing benchmark.
        Assert.True(calibration.ProxiedRoundTrip >= TimeSpan.FromMilliseconds(rttMs), $"proxied round trip {calibration.ProxiedRoundTrip.TotalMilliseconds} ms < {rttMs} ms");
    }

    [Fact]
    public async Task FirstBytes_WaitForTheSimulatedConnectToo()
    {
        await using var echo = new EchoServer();
        await using var proxy = NetworkProxy.Start("127.0.0.1", echo.EndPoint.Port, TimeSpan.FromMilliseconds(20));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await socket.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(new byte[] { 1 });
        await socket.ReceiveAsync(new byte[1]);

        // SYN/SYN-ACK then the request and its answer: two round trips, as on a real network.
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(40));
    }

    [Fact]
    public async Task Chunks_ArriveComplete_AndInOrder()
    {
        await using var echo = new EchoServer();
        await using var proxy = NetworkProxy.Start("127.0.0.1", echo.EndPoint.Port, TimeSpan.FromMilliseconds(2));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(proxy.EndPoint);

        var sent = Enumerable.Range(0, 20_000).Select(i => (byte)(i * 7)).ToArray();
        for (var offset = 0; offset < sent.Length; offset += 1000)
        {
            await socket.SendAsync(sent.AsMemory(offset, 1000), SocketFlags.None);
        }

        var received = new byte[sent.Length];
        var total = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (total < received.Length)
        {
            total += await socket.ReceiveAsync(received.AsMemory(total), SocketFlags.None, timeout.Token);
        }

        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Dispose_StopsListening()
    {
        var proxy = NetworkProxy.Start("127.0.0.1", 9, TimeSpan.Zero);
        var endPoint = proxy.EndPoint;
        await proxy.DisposeAsync();

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var e = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(endPoint));
        Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
    }
}
