namespace Prewarm.Infra.Tests.Rules;

internal static class ResourceTypes
{
    public const string Identity = "Microsoft.ManagedIdentity/userAssignedIdentities";
    public const string Storage = "Microsoft.Storage/storageAccounts";
    public const string PostgresServer = "Microsoft.DBforPostgreSQL/flexibleServers";
    public const string PostgresAdministrator = "Microsoft.DBforPostgreSQL/flexibleServers/administrators";
    public const string PostgresConfiguration = "Microsoft.DBforPostgreSQL/flexibleServers/configurations";
    public const string Site = "Microsoft.Web/sites";
    public const string SiteConfig = "Microsoft.Web/sites/config";
    public const string RoleAssignment = "Microsoft.Authorization/roleAssignments";
}
