using System.Text.RegularExpressions;
using Prewarm.Infra.Tests.Arm;

namespace Prewarm.Infra.Tests.Rules;

// Nothing in the deployment carries a secret: no list*() call reads keys, no output is secure or looks like a key or
// connection string (azd writes outputs into .azure/<env>/.env in plain text), no string holds a credential.
internal sealed partial class NoSecrets() : InfraRule("no-secrets", Compiled.Template)
{
    public override IEnumerable<string> Check(Deployment deployment)
    {
        var template = deployment.Template;
        foreach (var text in template.Root.Strings())
        {
            if (ListCall().Match(text) is { Success: true } call)
            {
                yield return $"{call.Value.TrimEnd('(')}() reads a secret: {Shorten(text)}";
            }

            if (Credential().Match(text) is { Success: true } credential)
            {
                yield return $"a string holds a credential ('{credential.Value}'): {Shorten(text)}";
            }
        }

        foreach (var (name, output) in template.Templates.SelectMany(t => t.At("outputs").Properties()))
        {
            var type = output.Text("type") ?? "";
            if (type.StartsWith("secure", StringComparison.OrdinalIgnoreCase))
            {
                yield return $"output '{name}' is {type}: outputs never carry secrets";
            }

            if (SecretName().IsMatch(name) || SecretName().IsMatch(output.Text("value") ?? ""))
            {
                yield return $"output '{name}' exposes a key, password or connection string";
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";

    [GeneratedRegex(@"\blist[A-Z]\w*\(")]
    private static partial Regex ListCall();

    [GeneratedRegex(@"(password|pwd|accountkey|sharedaccesskey|instrumentationkey)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex Credential();

    [GeneratedRegex(@"password|secret|accountkey|instrumentationkey|connectionstring|sharedaccesskey|primarykey", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
