// The Function App (.NET 10 isolated worker) running as the user-assigned identity. It holds no secret:
// storage, telemetry and PostgreSQL are all reached with the identity's Entra tokens.

@description('Required. Function App name.')
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags; azd finds the app through its azd-service-name tag.')
param tags object = {}

@description('Required. Resource ID of the hosting plan.')
param planId string

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
@description('Optional. Kind of the hosting plan behind planId.')
param planKind string = 'FlexConsumption'

@description('Required. Resource ID of the user-assigned managed identity.')
param identityId string

@description('Required. Client ID of that identity.')
param identityClientId string

@description('Required. Storage account for the host and the deployment package.')
param storageAccountName string

@description('Required. Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Required. Application Insights component the app reports to.')
param applicationInsightsName string

@minValue(0)
@description('Optional. Flex Consumption: always-ready instances for the http group.')
param alwaysReadyInstanceCount int = 1

@minValue(40)
@maxValue(1000)
@description('Optional. Flex Consumption: the most instances the app scales out to.')
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
@description('Optional. Flex Consumption: memory of each instance in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(20)
@description('Optional. Elastic Premium: always-ready (minimum) instances.')
param premiumMinimumInstanceCount int = 1

@description('Required. PostgreSQL host name.')
param postgresHost string

@description('Required. PostgreSQL port (6432 through PgBouncer, 5432 direct).')
param postgresPort int

@description('Required. Application database name.')
param postgresDatabase string

@description('Required. PostgreSQL role the app logs in as: the managed identity\'s name.')
param postgresUsername string

@description('Optional. Connections Prewarm opens and keeps warm.')
param warmConnections int = 8

@description('Optional. NCRONTAB schedule of the keep-alive timer (one instance at a time; each instance also runs the library\'s own 2-minute loop).')
param keepAliveSchedule string = '0 */3 * * * *'

var isFlex = planKind == 'FlexConsumption'

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: planId
    reserved: true
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      linuxFxVersion: isFlex ? null : 'DOTNET-ISOLATED|10.0'
      minimumElasticInstanceCount: isFlex ? null : premiumMinimumInstanceCount
    }
    functionAppConfig: isFlex ? {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      scaleAndConcurrency: {
        alwaysReady: alwaysReadyInstanceCount > 0 ? [
          {
            name: 'http'
            instanceCount: alwaysReadyInstanceCount
          }
        ] : []
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
    } : null
  }
}

// Settings every plan gets. No key, no password: each connection names the identity instead.
var commonSettings = {
  AzureWebJobsStorage__accountName: storageAccount.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLIENT_ID: identityClientId
  ConnectionStrings__postgres: 'Host=${postgresHost};Port=${postgresPort};Database=${postgresDatabase};Username=${postgresUsername};Ssl Mode=Require'
  Prewarm__postgres__WarmConnections: string(warmConnections)
  // Through the built-in PgBouncer (port 6432, transaction pooling) Npgsql must not reset sessions on close.
  Prewarm__postgres__PgBouncer: string(postgresPort == 6432)
  // The KeepAlive timer runs on one instance at a time (blob lease). Every instance keeps its own pool valid with the
  // library's background loop, Prewarm__postgres__KeepAliveInterval, left at its 2-minute default: do not set it to 0.
  Prewarm__KeepAliveSchedule: keepAliveSchedule
}

// Flex Consumption takes runtime and deployment from functionAppConfig and rejects these settings;
// Elastic Premium needs them. It runs from the zip package, without an Azure Files content share
// (a content share would need a storage key).
var premiumSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  WEBSITE_RUN_FROM_PACKAGE: '1'
}

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: isFlex ? commonSettings : union(commonSettings, premiumSettings)
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
