// Broken on purpose: allowSharedKeyAccess left out, which means shared keys stay on.
resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: 'stfixture'
  location: 'westeurope'
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowBlobPublicAccess: false
  }
}
