// Broken on purpose: a Flex Consumption app without always-ready instances for the http group.
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
  properties: {
    functionAppConfig: {
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      scaleAndConcurrency: {
        maximumInstanceCount: 100
        instanceMemoryMB: 2048
      }
    }
  }
}
