// Broken on purpose: an output hands out the Application Insights instrumentation key.
resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: 'appi-fixture'
}

output APPINSIGHTS_KEY string = appInsights.properties.InstrumentationKey
