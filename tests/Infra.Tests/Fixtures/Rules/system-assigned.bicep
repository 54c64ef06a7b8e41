// Broken on purpose: a system-assigned identity beside the one user-assigned identity.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-fixture'
  location: 'westeurope'
}

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: 'stfixture'
  location: 'westeurope'
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  identity: {
    type: 'SystemAssigned,UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    allowSharedKeyAccess: false
  }
}
