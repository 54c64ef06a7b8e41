// Prewarm: a passwordless, pre-warmed Azure Functions app in front of PostgreSQL Flexible Server.
// Orchestrator only: every resource lives in a small module under ./modules, named by its role.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Required. Name of the azd environment; it seeds the resource token and the resource group name.')
param environmentName string

@minLength(1)
@description('Required. Azure region for every resource (it must offer Flex Consumption when planKind is FlexConsumption).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
@description('Optional. Hosting plan: FlexConsumption (FC1, always-ready instances) or ElasticPremium (EP1, prewarmed instances; the Warmup trigger fires on scale-out).')
param planKind string = 'FlexConsumption'

@minValue(0)
@maxValue(20)
@description('Optional. Always-ready instances for the http group on Flex Consumption (billed while idle); 0 turns them off.')
param alwaysReadyInstanceCount int = 1

@minValue(1)
@maxValue(20)
@description('Optional. Always-ready (minimum) instances on Elastic Premium; one more prewarmed instance is kept on top of these.')
param premiumMinimumInstanceCount int = 1

@description('Optional. PostgreSQL compute SKU name. The built-in PgBouncer needs a General Purpose or Memory Optimized SKU.')
param postgresSkuName string = 'Standard_D2ds_v5'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
@description('Optional. PostgreSQL compute tier; it must match postgresSkuName. Burstable turns the built-in PgBouncer off.')
param postgresSkuTier string = 'GeneralPurpose'

@description('Optional. PostgreSQL major version.')
param postgresVersion string = '17'

@description('Optional. Route the app through the server\'s built-in PgBouncer (port 6432) instead of PostgreSQL directly (port 5432).')
param enablePgBouncer bool = true

@description('Optional. Name of the application database.')
param databaseName string = 'prewarm'

@minValue(1)
@maxValue(100)
@description('Optional. Physical connections the app opens and keeps warm before it takes traffic (Prewarm:postgres:WarmConnections).')
param warmConnections int = 8

@description('Optional. NCRONTAB schedule of the keep-alive timer, which runs on one instance at a time. Every instance stays below the 4-minute idle cut of Azure load balancers through the library\'s own 2-minute loop (Prewarm__postgres__KeepAliveInterval).')
param keepAliveSchedule string = '0 */3 * * * *'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
// Modules that name resources after these get the deploy-time constants, not the creating module's outputs: a
// runtime value in a resource name makes what-if short-circuit (linter rule what-if-short-circuiting).
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var applicationInsightsName = '${abbrs.insightsComponents}${resourceToken}'
var deploymentContainerName = 'app-package-${take(resourceToken, 16)}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module roles 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  scope: rg
  params: {
    // The identity's object ID exists only once the identity does, and the assignment names must contain it (a
    // recreated identity then gets new assignments instead of colliding with its predecessor's): what-if cannot
    // predict these names before the identity exists, whatever is passed here.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
    storageAccountName: storageAccountName
    applicationInsightsName: applicationInsightsName
  }
  // The names above are constants, so the dependencies on the modules that create them are stated here.
  dependsOn: [
    storage
    monitoring
  ]
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    name: '${abbrs.dBforPostgreSQLServers}${resourceToken}'
    location: location
    tags: tags
    skuName: postgresSkuName
    skuTier: postgresSkuTier
    version: postgresVersion
    databaseName: databaseName
    enablePgBouncer: enablePgBouncer
    // The Entra administrator resource is named by the identity's object ID (the API's contract), which exists
    // only once the identity does: no deploy-time constant can stand in for it.
    #disable-next-line what-if-short-circuiting
    adminPrincipalId: identity.outputs.principalId
    adminPrincipalName: identity.outputs.name
  }
}

module plan 'modules/plan.bicep' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    planKind: planKind
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: union(tags, { 'azd-service-name': 'functions' })
    planId: plan.outputs.id
    planKind: planKind
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: applicationInsightsName
    alwaysReadyInstanceCount: alwaysReadyInstanceCount
    premiumMinimumInstanceCount: premiumMinimumInstanceCount
    postgresHost: postgres.outputs.host
    postgresPort: postgres.outputs.port
    postgresDatabase: postgres.outputs.databaseName
    postgresUsername: identity.outputs.name
    warmConnections: warmConnections
    keepAliveSchedule: keepAliveSchedule
  }
  // The host must be able to reach its storage and telemetry with the identity from its first start; storage and
  // monitoring are named by constants above, so those dependencies are stated too.
  dependsOn: [
    storage
    monitoring
    roles
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.url
output AZURE_PLAN_KIND string = planKind
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output MANAGED_IDENTITY_NAME string = identity.outputs.name
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output POSTGRES_SERVER_NAME string = postgres.outputs.name
output POSTGRES_HOST string = postgres.outputs.host
output POSTGRES_PORT int = postgres.outputs.port
output POSTGRES_DATABASE string = postgres.outputs.databaseName
output POSTGRES_USERNAME string = identity.outputs.name
