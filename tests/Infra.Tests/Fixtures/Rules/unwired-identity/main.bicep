// Broken on purpose: the roles module grants to a principal typed in by hand, not to the identity module's output.
targetScope = 'resourceGroup'

@description('Optional. Some other principal.')
param otherPrincipalId string = '11111111-1111-1111-1111-111111111111'

module identity 'modules/identity.bicep' = {
  name: 'identity'
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: otherPrincipalId
  }
}

output MANAGED_IDENTITY_NAME string = identity.outputs.name
