// Broken on purpose: a fixed role assignment name; the next environment's grant in the same tenant would clash.
@description('Optional. Principal ID.')
param principalId string = '11111111-1111-1111-1111-111111111111'

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: 'stfixture'
}

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: '3f6c2a4e-0000-4000-8000-000000000001'
  scope: account
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  }
}
