namespace Prewarm.FaultTests.Infrastructure;

// "Bounded" in these tests means "cannot hang the run", never a measured threshold: the guard is far above any
// deadline the code under test is given, so hitting it means something waited for ever.
public static class Bounded
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Guard);

    public static Task Within(this Task task) => task.WaitAsync(Guard);
}
