// Broken on purpose: an Elastic Premium app that keeps no instance ready.
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
    siteConfig: {
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      minimumElasticInstanceCount: 0
    }
  }
}
