// Broken on purpose: outputs never carry secrets, so a @secure() output is refused.
@secure()
@description('Optional. Anything.')
param value string = newGuid()

@secure()
output TOKEN string = value
