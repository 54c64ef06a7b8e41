// Broken on purpose: azd reads outputs as environment variables, which are UPPER_SNAKE.
output functionAppName string = 'func-fixture'
