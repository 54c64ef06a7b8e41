// Broken on purpose: the host's storage as a connection string with the account key, instead of the identity.
module app 'shared/app-with-settings.bicep' = {
  name: 'app'
  params: {
    extraSettings: {
      AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=stfixture;EndpointSuffix=core.windows.net'
    }
  }
}
