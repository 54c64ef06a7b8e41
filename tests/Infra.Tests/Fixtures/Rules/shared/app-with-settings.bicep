// Not a fixture: a Function App running as its identity with the settings main.bicep gives it, changed by each
// app-settings fixture through the two params below.

@description('Optional. Settings added to (or replacing) the correct ones.')
param extraSettings object = {}

@description('Optional. Names of correct settings to leave out.')
param omit array = []

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-fixture'
  location: 'westeurope'
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: 'func-fixture'
  location: 'westeurope'
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
}

var correct = {
  AzureWebJobsStorage__accountName: 'stfixture'
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://fixture/'
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  AZURE_CLIENT_ID: identity.properties.clientId
  ConnectionStrings__postgres: 'Host=psql-fixture.postgres.database.azure.com;Port=6432;Database=prewarm;Username=id-fixture;Ssl Mode=Require'
  Prewarm__postgres__WarmConnections: '8'
  Prewarm__KeepAliveSchedule: '0 */3 * * * *'
}

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: union(toObject(filter(items(correct), s => !contains(omit, s.key)), s => s.key, s => s.value), extraSettings)
}
