resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-fixture'
  location: 'westeurope'
}

output name string = identity.name
