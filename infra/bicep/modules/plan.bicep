// The hosting plan. FlexConsumption (FC1) keeps always-ready instances (configured on the site);
// ElasticPremium (EP1) keeps prewarmed instances and is where the Warmup trigger fires on scale-out.

@description('Required. Plan name.')
param name string

@description('Required. Azure region.')
param location string

@description('Optional. Tags for the resource.')
param tags object = {}

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
@description('Optional. FlexConsumption (FC1) or ElasticPremium (EP1).')
param planKind string = 'FlexConsumption'

@minValue(1)
@maxValue(100)
@description('Optional. Elastic Premium only: the most instances the plan scales out to.')
param maximumElasticWorkerCount int = 20

var isFlex = planKind == 'FlexConsumption'

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: name
  location: location
  tags: tags
  kind: isFlex ? 'functionapp' : 'elastic'
  sku: isFlex ? {
    name: 'FC1'
    tier: 'FlexConsumption'
  } : {
    name: 'EP1'
    tier: 'ElasticPremium'
  }
  properties: {
    reserved: true
    maximumElasticWorkerCount: isFlex ? null : maximumElasticWorkerCount
  }
}

output id string = plan.id
output name string = plan.name
