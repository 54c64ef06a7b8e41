using System.Diagnostics;

namespace Prewarm.SampleApp;

/// <summary>
/// The prewarm strategy's gate: Prewarm.AspNetCore's <c>UsePrewarmGate</c>, timed around it for the lab's
/// <c>Server-Timing</c> <c>gate</c> phase. Only <c>/orders</c> touches the database; <c>/ping</c>, which the lab polls to
/// learn when the app accepts traffic, must answer while the pool is cold.
/// </summary>
internal static class SampleGate
{
    private const string StartedKey = "SampleGate.Started";
    private const string WaitedKey = "SampleGate.Waited";

    public static void UseSampleGate(this WebApplication app, StartupStrategy strategy)
    {
        if (strategy != StartupStrategy.Prewarm)
        {
            return;
        }

        app.UseWhen(context => context.Request.Path == "/orders", gated => gated
            .Use((context, next) => { context.Items[StartedKey] = Stopwatch.GetTimestamp(); return next(context); })
            .UsePrewarmGate(SampleDatabase.ConnectionName)
            .Use((context, next) => { context.Items[WaitedKey] = Stopwatch.GetElapsedTime((long)context.Items[StartedKey]!); return next(context); }));
    }

    /// <summary>How long the request spent in the gate; zero for the strategies without one.</summary>
    public static TimeSpan Waited(HttpContext context) => context.Items[WaitedKey] as TimeSpan? ?? TimeSpan.Zero;
}
