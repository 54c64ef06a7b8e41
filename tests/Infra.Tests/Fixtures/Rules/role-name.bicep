// Broken on purpose: a role assignment name must be guid(scope, principal, role); here the role is left out, so a
// second role for the same principal on the same scope would collide with the first.
@description('Optional. Principal ID.')
param principalId string = '11111111-1111-1111-1111-111111111111'

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: 'stfixture'
}

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId)
  scope: account
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  }
}
