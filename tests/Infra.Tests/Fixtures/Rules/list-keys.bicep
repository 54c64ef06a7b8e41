// Broken on purpose: reading the storage key.
resource account 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: 'stfixture'
}

var key = account.listKeys().keys[0].value
output AZURE_STORAGE_KEY_LENGTH int = length(key)
