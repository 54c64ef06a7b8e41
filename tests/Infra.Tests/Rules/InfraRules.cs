namespace Prewarm.Infra.Tests.Rules;

internal static class InfraRules
{
    public static IReadOnlyList<InfraRule> All { get; } =
    [
        new EntraOnlyPostgres(),
        new SharedKeyAccessOff(),
        new AlwaysReadyInstances(),
        new SingleUserAssignedIdentity(),
        new RoleAssignmentNames(),
        new NoSecrets(),
        new UpperSnakeOutputs(),
        new AppSettings(),
        new ParameterDescriptions(),
    ];

    public static InfraRule Named(string name) => All.Single(r => r.Name == name);
}
