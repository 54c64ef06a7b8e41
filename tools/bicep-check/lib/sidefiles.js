'use strict';
// Checks of the files around main.bicep: azd's parameters file, the linter config, the abbreviations and azure.yaml.
const fs = require('fs');
const path = require('path');
const { parseFile, walk, objectProperties, stringLiteral, bicepFilesUnder } = require('./template');

function readJson(file, problems) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`${path.basename(file)}: ${e.code === 'ENOENT' ? 'missing' : e.message.split('\n')[0]}`);
    return null;
  }
}

function checkParameters(infraDir, main) {
  const problems = [];
  const json = readJson(path.join(infraDir, 'main.parameters.json'), problems);
  if (!json || !main) return problems;
  const given = Object.keys(json.parameters || {});
  for (const name of given) {
    if (!main.params.some((p) => p.name === name)) problems.push(`main.parameters.json: '${name}' is not a param of main.bicep`);
    const value = JSON.stringify(json.parameters[name].value);
    if (/password|secret|key/i.test(name) || /password=|accountkey=/i.test(value)) problems.push(`main.parameters.json: '${name}' looks like a secret`);
  }
  for (const p of main.params) {
    if (!p.defaultValue && !given.includes(p.name)) problems.push(`main.parameters.json: required param '${p.name}' is not given`);
  }
  for (const name of ['environmentName', 'location']) {
    const want = name === 'location' ? '${AZURE_LOCATION}' : '${AZURE_ENV_NAME}';
    if (!json.parameters || !json.parameters[name] || json.parameters[name].value !== want) {
      problems.push(`main.parameters.json: '${name}' must be "${want}" (azd substitutes it)`);
    }
  }
  return problems;
}

function checkBicepConfig(infraDir) {
  const problems = [];
  const json = readJson(path.join(infraDir, 'bicepconfig.json'), problems);
  if (!json) return problems;
  const core = json.analyzers && json.analyzers.core;
  if (!core || core.enabled === false) problems.push('bicepconfig.json: analyzers.core must be enabled');
  const rules = (core && core.rules) || {};
  if (Object.keys(rules).length === 0) problems.push('bicepconfig.json: no linter rules configured');
  for (const [name, rule] of Object.entries(rules)) {
    if (!rule || !['warning', 'error'].includes(rule.level)) problems.push(`bicepconfig.json: rule '${name}' has level '${rule && rule.level}', expected 'warning' or 'error'`);
  }
  return problems;
}

function checkAbbreviationsFile(infraDir) {
  const problems = [];
  const json = readJson(path.join(infraDir, 'abbreviations.json'), problems);
  if (json) {
    for (const [k, v] of Object.entries(json)) {
      if (typeof v !== 'string' || !/^[a-z0-9-]*$/.test(v)) problems.push(`abbreviations.json: '${k}' must map to a lower-case prefix`);
    }
  }
  return problems;
}

// A small reader for the flat azure.yaml this project uses (no YAML library needed): "a.b.c" -> value.
function flatYaml(text) {
  const out = {};
  const stack = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').replace(/^#.*$/, '');
    const m = line.match(/^(\s*)([\w.-]+):\s*(.*)$/);
    if (!m) continue;
    const depth = m[1].length / 2;
    stack.length = depth;
    stack[depth] = m[2];
    if (m[3] !== '') out[stack.join('.')] = m[3].replace(/^['"]|['"]$/g, '');
  }
  return out;
}

function checkAzureYaml(repoRoot, files) {
  const file = path.join(repoRoot, 'azure.yaml');
  if (!fs.existsSync(file)) return { problems: ['azure.yaml: missing'], notes: [] };
  const y = flatYaml(fs.readFileSync(file, 'utf8'));
  const problems = [];
  const notes = [];
  if (y['infra.path'] !== 'infra/bicep') problems.push(`azure.yaml: infra.path must be infra/bicep, got '${y['infra.path']}'`);
  const services = [...new Set(Object.keys(y).filter((k) => k.startsWith('services.')).map((k) => k.split('.')[1]))];
  if (services.length !== 1) problems.push(`azure.yaml: expected one service, found ${services.length}`);
  for (const s of services) {
    const want = { project: 'src/Functions', language: 'dotnet', host: 'function' };
    for (const [k, v] of Object.entries(want)) {
      if (y[`services.${s}.${k}`] !== v) problems.push(`azure.yaml: services.${s}.${k} must be '${v}'`);
    }
    // azd finds the app by its azd-service-name tag, so some template must carry this service's name.
    const tagged = files.some((t) => {
      let found = false;
      walk(t.root, (n) => {
        if (n.type === 'object') {
          for (const p of objectProperties(n)) if (p.key === 'azd-service-name' && stringLiteral(p.value) === s) found = true;
        }
      });
      return found;
    });
    if (!tagged) problems.push(`azure.yaml: no template tags a resource 'azd-service-name': '${s}'`);
  }
  if (!fs.existsSync(path.join(repoRoot, 'src', 'Functions'))) notes.push('note: src/Functions does not exist yet; azd deploy needs it');
  return { problems, notes };
}

function checkSideFiles(repoRoot, mainFile) {
  const infraDir = path.dirname(mainFile);
  const main = fs.existsSync(mainFile) ? parseFile(mainFile) : null;
  const files = fs.existsSync(infraDir) ? bicepFilesUnder(infraDir).map(parseFile) : [];
  const yaml = checkAzureYaml(repoRoot, files);
  for (const n of yaml.notes) console.log(n);
  return [
    { label: 'infra/bicep/main.parameters.json (params match main.bicep, azd substitutions)', problems: checkParameters(infraDir, main) },
    { label: 'infra/bicep/bicepconfig.json (linter rules at warning or error)', problems: checkBicepConfig(infraDir) },
    { label: 'infra/bicep/abbreviations.json (valid prefixes)', problems: checkAbbreviationsFile(infraDir) },
    { label: 'azure.yaml (service, infra path, azd-service-name tag)', problems: yaml.problems },
  ];
}

module.exports = { checkSideFiles };
