// Broken on purpose: compiles, but the linter warns (no-unused-params), and a warning fails the run.
@description('Optional. Never used.')
param keepAliveSchedule string = '0 */3 * * * *'
