// Broken on purpose: a password inside an app setting.
resource site 'Microsoft.Web/sites@2024-11-01' existing = {
  name: 'func-fixture'
}

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    ConnectionStrings__postgres: 'Host=psql-fixture.postgres.database.azure.com;Database=prewarm;Username=app;Password=hunter2'
  }
}
