using Prewarm.Lab.Compare;

namespace Prewarm.Lab.Tests;

public sealed class StatsTests
{
    [Fact]
    public void Percentile_IsNearestRank_SoEveryNumberWasMeasured()
    {
        double[] nine = [9, 1, 8, 2, 7, 3, 6, 4, 5];

        Assert.Equal(5, Stats.Median(nine));
        Assert.Equal(9, Stats.Percentile(nine, 99));
        Assert.Equal(1, Stats.Percentile(nine, 0));
    }

    [Fact]
    public void Median_OfAnEvenCount_IsTheLowerMiddle()
    {
        Assert.Equal(2, Stats.Median([4, 1, 3, 2]));
    }

    [Fact]
    public void Percentile_OfNothing_IsNaN()
    {
        Assert.True(double.IsNaN(Stats.Median([])));
    }
}
