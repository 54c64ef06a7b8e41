// Broken on purpose: without AZURE_CLIENT_ID the app cannot tell which managed identity to take tokens for.
module app 'shared/app-with-settings.bicep' = {
  name: 'app'
  params: {
    omit: [
      'AZURE_CLIENT_ID'
    ]
  }
}
