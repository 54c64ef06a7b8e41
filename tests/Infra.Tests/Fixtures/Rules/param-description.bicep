// Broken on purpose: a param with a default is optional and its description must say so.
@description('Required. Number of warm connections.')
param warmConnections int = 8

output WARM_CONNECTIONS int = warmConnections
