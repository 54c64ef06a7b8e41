// Broken on purpose: retentionInDays is an int in Azure's type data; the compiler warns on a string.
resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: 'log-fixture'
  location: 'westeurope'
  properties: {
    retentionInDays: '30'
  }
}
