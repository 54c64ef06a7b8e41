using System.Text.RegularExpressions;
using Prewarm.Consumer.Tests.Infrastructure;

namespace Prewarm.Consumer.Tests;

// README's "Use it in your app" must be what the consumer tests build: each block between <!-- consumer:App/File -->
// and <!-- /consumer --> is compared with that file of Apps/, line for line.
public sealed partial class ReadmeSnippetTests
{
    [Fact]
    public void Readme_ConsumerSnippets_AreTheConsumerAppsSources()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

        var snippets = SnippetPattern().Matches(readme);

        Assert.NotEmpty(snippets);
        foreach (Match snippet in snippets)
        {
            var source = File.ReadAllText(Path.Combine(RepositoryPaths.AppSources(snippet.Groups["app"].Value), snippet.Groups["file"].Value));
            Assert.Equal(Lines(source), Lines(snippet.Groups["code"].Value));
        }
    }

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    [GeneratedRegex(@"<!-- consumer:(?<app>[^/]+)/(?<file>\S+) [^\n]*-->\n```csharp\n(?<code>.*?)```\n<!-- /consumer -->", RegexOptions.Singleline)]
    private static partial Regex SnippetPattern();
}
