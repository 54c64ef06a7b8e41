// PostgreSQL Flexible Server with Microsoft Entra authentication only: no administrator login, no password.
// The app's managed identity is the Entra administrator, so the app logs in as the identity's name with a token.

@description('Required. Server name (becomes <name>.postgres.database.azure.com).')
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the resources.')
param tags object = {}

@description('Optional. Compute SKU name.')
param skuName string = 'Standard_D2ds_v5'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
@description('Optional. Compute tier matching skuName.')
param skuTier string = 'GeneralPurpose'

@description('Optional. PostgreSQL major version.')
param version string = '17'

@minValue(32)
@description('Optional. Storage size in GiB.')
param storageSizeGB int = 32

@description('Required. Name of the application database.')
param databaseName string

@description('Optional. Enable the built-in PgBouncer (port 6432). Ignored on Burstable, which does not offer it.')
param enablePgBouncer bool = true

@description('Required. Object (principal) ID of the managed identity that becomes the Entra administrator.')
param adminPrincipalId string

@description('Required. Name of that identity; it is also the PostgreSQL role name the app logs in as.')
param adminPrincipalName string

var pgBouncerOn = enablePgBouncer && skuTier != 'Burstable'

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2025-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: version
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: tenant().tenantId
    }
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

// The server accepts one control-plane change at a time, so the children below run one after another.
resource admin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2025-08-01' = {
  parent: server
  name: adminPrincipalId
  properties: {
    principalName: adminPrincipalName
    principalType: 'ServicePrincipal'
    tenantId: tenant().tenantId
  }
}

resource requireTls 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2025-08-01' = {
  parent: server
  name: 'require_secure_transport'
  properties: {
    value: 'ON'
    source: 'user-override'
  }
  dependsOn: [
    admin
  ]
}

resource pgBouncer 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2025-08-01' = {
  parent: server
  name: 'pgbouncer.enabled'
  properties: {
    value: pgBouncerOn ? 'true' : 'false'
    source: 'user-override'
  }
  dependsOn: [
    requireTls
  ]
}

// In transaction pooling PgBouncer (1.21+) keeps protocol-level prepared statements only when this is above its
// default of 0. The sample app does not prepare on 6432 (Prewarm__postgres__PgBouncer=true, see function-app.bicep);
// this is for an app that does.
resource pgBouncerPrepared 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2025-08-01' = if (pgBouncerOn) {
  parent: server
  name: 'pgbouncer.max_prepared_statements'
  properties: {
    value: '200'
    source: 'user-override'
  }
  dependsOn: [
    pgBouncer
  ]
}

// Flex Consumption has no fixed outbound addresses, so without a virtual network the server must accept
// connections from Azure's address space (the special 0.0.0.0 rule). Entra-only auth and TLS still apply.
resource allowAzureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2025-08-01' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
  dependsOn: [
    pgBouncer
    pgBouncerPrepared
  ]
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2025-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
  dependsOn: [
    allowAzureServices
  ]
}

output name string = server.name
output host string = server.properties.fullyQualifiedDomainName
output port int = pgBouncerOn ? 6432 : 5432
output databaseName string = database.name
