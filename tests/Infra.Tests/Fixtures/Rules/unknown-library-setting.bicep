// Broken on purpose: a misspelled library setting; Prewarm binds its section strictly and would refuse to start.
module app 'shared/app-with-settings.bicep' = {
  name: 'app'
  params: {
    extraSettings: {
      Prewarm__postgres__WarmConections: '8'
    }
  }
}
