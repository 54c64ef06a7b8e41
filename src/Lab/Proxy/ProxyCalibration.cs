using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Prewarm.Lab.Compare;
using Prewarm.LocalPostgres.Network;

namespace Prewarm.Lab.Proxy;

/// <summary>What the proxy really adds, measured against a local echo server: configured RTT, measured extra, and the rest (its overhead).</summary>
internal sealed record ProxyCalibration(TimeSpan Configured, TimeSpan DirectRoundTrip, TimeSpan ProxiedRoundTrip)
{
    /// <summary>Samples per path; 1-byte ping-pongs, the median taken, so a scheduling hiccup does not move it.</summary>
    public const int Samples = 50;

    public TimeSpan Added => ProxiedRoundTrip - DirectRoundTrip;

    public TimeSpan Overhead => Added - Configured;

    /// <remarks><paramref name="senderCpus"/>: Where compare pins the proxy's delaying threads, so the calibration measures the same proxy.</remarks>
    public static async Task<ProxyCalibration> MeasureAsync(TimeSpan addedRtt, CancellationToken ct, IReadOnlyCollection<int>? senderCpus = null)
    {
        await using var echo = new EchoServer();
        await using var proxy = NetworkProxy.Start(echo.EndPoint.Address.ToString(), echo.EndPoint.Port, addedRtt, senderCpus);
        var direct = await MedianRoundTripAsync(echo.EndPoint, ct);
        var proxied = await MedianRoundTripAsync(proxy.EndPoint, ct);
        return new ProxyCalibration(addedRtt, direct, proxied);
    }

    public static async Task<TimeSpan> MedianRoundTripAsync(IPEndPoint endPoint, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, ct);
        var buffer = new byte[1];
        var samples = new List<double>(Samples);
        // The first exchange also pays the proxy's upstream connect; it is not part of a steady round trip.
        for (var i = -1; i < Samples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await socket.SendAsync(buffer, SocketFlags.None, ct);
            if (await socket.ReceiveAsync(buffer, SocketFlags.None, ct) != 1)
            {
                throw new IOException("The echo connection closed during calibration.");
            }

            if (i >= 0)
            {
                samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return TimeSpan.FromMilliseconds(Stats.Median(samples));
    }
}
