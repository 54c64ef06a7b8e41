'use strict';
// The project's own rules: passwordless, keyless, one identity, Flex Consumption with always-ready instances.
const fs = require('fs');
const path = require('path');
const {
  walk, unwrap, namedChildren, stringLiteral, objectProperties, getProperty, literalValuesAt, branches,
} = require('./template');
const { classify } = require('./types');

const typeOf = (res) => (res.typeRef || '').split('@')[0].toLowerCase();
const T = {
  identity: 'microsoft.managedidentity/userassignedidentities',
  storage: 'microsoft.storage/storageaccounts',
  server: 'microsoft.dbforpostgresql/flexibleservers',
  admin: 'microsoft.dbforpostgresql/flexibleservers/administrators',
  config: 'microsoft.dbforpostgresql/flexibleservers/configurations',
  site: 'microsoft.web/sites',
  plan: 'microsoft.web/serverfarms',
  insights: 'microsoft.insights/components',
  role: 'microsoft.authorization/roleassignments',
};

// Literal values (strings, numbers, booleans) found at a path, over every ternary branch.
function literalsAt(node, pathKeys) {
  return literalValuesAt(node, pathKeys).map(classify).filter((v) => 'value' in v).map((v) => v.value);
}

// ---- per resource -------------------------------------------------------------------------------------------

const RESOURCE_RULES = {
  [T.storage]: (res, report) => {
    if (!literalsAt(res.body, ['properties', 'allowSharedKeyAccess']).includes(false)) {
      report(res.node, 'shared-key', `storage account '${res.name}' must set properties.allowSharedKeyAccess: false`);
    }
  },
  [T.server]: (res, report) => {
    const password = literalsAt(res.body, ['properties', 'authConfig', 'passwordAuth']);
    const entra = literalsAt(res.body, ['properties', 'authConfig', 'activeDirectoryAuth']);
    if (!(password.length && password.every((v) => v === 'Disabled')) || !(entra.length && entra.every((v) => v === 'Enabled'))) {
      report(res.node, 'entra-only', `PostgreSQL server '${res.name}' must set authConfig { activeDirectoryAuth: 'Enabled', passwordAuth: 'Disabled' }`);
    }
  },
  [T.admin]: (res, report) => {
    if (!literalsAt(res.body, ['properties', 'principalType']).includes('ServicePrincipal')) {
      report(res.node, 'postgres-admin', `Entra administrator '${res.name}' must be the managed identity (principalType: 'ServicePrincipal')`);
    }
  },
  [T.config]: (res, report) => {
    const name = literalsAt(res.body, ['name'])[0];
    const values = literalsAt(res.body, ['properties', 'value']).map((v) => String(v).toLowerCase());
    if (name === 'require_secure_transport' && !(values.length && values.every((v) => v === 'on'))) {
      report(res.node, 'tls', "require_secure_transport must be 'ON'");
    }
  },
  [T.site]: (res, report) => {
    const ready = literalValuesAt(res.body, ['properties', 'functionAppConfig', 'scaleAndConcurrency', 'alwaysReady'])
      .flatMap((arr) => (arr.type === 'array' ? namedChildren(arr) : []))
      .some((item) => literalsAt(item, ['name']).includes('http'));
    if (!ready) report(res.node, 'always-ready', `site '${res.name}' must keep always-ready instances for the 'http' group (functionAppConfig.scaleAndConcurrency.alwaysReady)`);
    const runtime = ['properties', 'functionAppConfig', 'runtime'];
    if (!literalsAt(res.body, [...runtime, 'name']).includes('dotnet-isolated') || !literalsAt(res.body, [...runtime, 'version']).includes('10.0')) {
      report(res.node, 'runtime', `site '${res.name}' must run dotnet-isolated 10.0 (functionAppConfig.runtime)`);
    }
    const idType = literalsAt(res.body, ['identity', 'type']);
    if (!(idType.length && idType.every((v) => v === 'UserAssigned')) || !literalValuesAt(res.body, ['identity', 'userAssignedIdentities']).length) {
      report(res.node, 'identity', `site '${res.name}' must run as the user-assigned identity only (identity.type 'UserAssigned')`);
    }
  },
  [T.insights]: (res, report) => {
    if (!literalsAt(res.body, ['properties', 'DisableLocalAuth']).includes(true)) {
      report(res.node, 'local-auth', `Application Insights '${res.name}' must set properties.DisableLocalAuth: true`);
    }
  },
  [T.role]: (res, report) => {
    const name = unwrap(getProperty(res.body, 'name'));
    const fn = name && name.type === 'call_expression' ? name.childForFieldName('function') : null;
    const args = name && name.type === 'call_expression' ? namedChildren(name.childForFieldName('arguments')) : [];
    if (!fn || fn.text !== 'guid' || args.length !== 3) {
      report(name || res.node, 'role-assignment-name', 'role assignment name must be guid(scope, principalId, roleDefinitionId)');
    }
  },
};

function checkResourceRules(t, report) {
  for (const res of t.resources) {
    const rule = RESOURCE_RULES[typeOf(res)];
    if (rule && !res.existing && res.body) rule(res, report);
  }
}

// ---- per file: secrets, parameters, outputs -----------------------------------------------------------------

const SECRET_IN_STRING = /(password|accountkey|instrumentationkey|sharedaccesskey)\s*=/i;
const FORBIDDEN_KEYS = {
  administratorLogin: 'no administrator login: the server is Entra-only',
  administratorLoginPassword: 'no administrator password: the server is Entra-only',
  AzureWebJobsStorage: 'use identity-based AzureWebJobsStorage__accountName/__credential/__clientId, not a connection string',
  APPINSIGHTS_INSTRUMENTATIONKEY: 'use APPLICATIONINSIGHTS_CONNECTION_STRING with Entra authentication',
  WEBSITE_CONTENTAZUREFILECONNECTIONSTRING: 'an Azure Files content share needs a storage key',
};
const SECRET_OUTPUT = /\blist[A-Z]\w*\(|connectionstring|instrumentationkey|password|accountkey|secret/i;

function checkSecrets(t, report) {
  walk(t.root, (n) => {
    if (n.type === 'string') {
      const text = namedChildren(n).filter((c) => c.type === 'string_content').map((c) => c.text).join('');
      if (SECRET_IN_STRING.test(text)) report(n, 'secret', `string contains a credential ('${text.match(SECRET_IN_STRING)[0]}')`);
    } else if (n.type === 'call_expression') {
      const fn = n.childForFieldName('function');
      const name = fn ? fn.text.split('.').pop() : '';
      if (/^list[A-Z]/.test(name)) report(n, 'secret', `${name}() reads a secret`);
    } else if (n.type === 'object_property') {
      const key = namedChildren(n)[0];
      const k = key ? (key.type === 'string' ? stringLiteral(key) : key.text) : null;
      if (k && Object.prototype.hasOwnProperty.call(FORBIDDEN_KEYS, k)) report(key, 'secret', `'${k}': ${FORBIDDEN_KEYS[k]}`);
      if (k === 'type' && /SystemAssigned/.test(stringLiteral(namedChildren(n)[1] || n) || '')) {
        report(key, 'single-identity', 'no system-assigned identity: everything uses the one user-assigned identity');
      }
    }
  });
}

function checkParams(t, report) {
  for (const p of t.params) {
    const desc = p.decorators.find((d) => d.name === 'description');
    const text = desc && desc.args[0] ? stringLiteral(desc.args[0]) : null;
    const expected = p.defaultValue ? 'Optional. ' : 'Required. ';
    if (text === null) report(p.node, 'param-description', `param '${p.name}' needs @description('${expected}...')`);
    else if (!text.startsWith(expected)) report(desc.node, 'param-description', `param '${p.name}' description must start with '${expected.trim()}'`);
    if (p.decorators.some((d) => d.name === 'secure') && p.defaultValue && classify(p.defaultValue).kind !== 'expr') {
      report(p.defaultValue, 'secure-default', `secure param '${p.name}' must not have a literal default`);
    }
    if (p.defaultValue) checkLiteralAgainstParam(p, p.defaultValue, report, `default of param '${p.name}'`);
  }
}

// A literal given to a param (its default, or a module argument) must fit its type and @allowed list.
function checkLiteralAgainstParam(p, valueNode, report, what) {
  for (const b of branches(valueNode)) {
    const v = classify(b);
    const kind = { literal: 'string', string: 'string', int: 'int', bool: 'bool', object: 'object', array: 'array', for: 'array' }[v.kind];
    if (!kind) continue;
    if (['string', 'int', 'bool', 'object', 'array'].includes(p.type) && kind !== p.type) {
      report(b, 'type', `${what} expects ${p.type}, got ${kind}`);
      continue;
    }
    const allowed = p.decorators.find((d) => d.name === 'allowed');
    if (allowed && 'value' in v && allowed.args[0]) {
      const values = namedChildren(unwrap(allowed.args[0])).map(classify).filter((x) => 'value' in x).map((x) => x.value);
      if (!values.includes(v.value)) report(b, 'allowed', `${what} must be one of ${values.map((x) => JSON.stringify(x)).join('|')}, got ${JSON.stringify(v.value)}`);
    }
    for (const [dec, cmp, word] of [['minValue', (a, b2) => a < b2, 'below'], ['maxValue', (a, b2) => a > b2, 'above']]) {
      const d = p.decorators.find((x) => x.name === dec);
      if (d && v.kind === 'int' && d.args[0] && cmp(v.value, Number(d.args[0].text))) report(b, 'allowed', `${what} is ${word} @${dec}(${d.args[0].text})`);
    }
  }
}

function checkOutputs(t, report, isEntry) {
  for (const o of t.outputs) {
    if (o.decorators.some((d) => d.name === 'secure')) report(o.node, 'secret', `output '${o.name}' is @secure(): outputs never carry secrets`);
    if (SECRET_OUTPUT.test(o.name) || SECRET_OUTPUT.test(o.value.text)) report(o.node, 'secret', `output '${o.name}' exposes a secret or connection string`);
    if (isEntry && !/^[A-Z][A-Z0-9_]*$/.test(o.name)) report(o.node, 'output-name', `output '${o.name}' must be UPPER_SNAKE for azd`);
  }
}

// Mirrors the linter's no-unused-params / no-unused-vars / no-unused-existing-resources (warnings fail here).
function checkUnused(t, report) {
  const used = new Set();
  walk(t.root, (n) => {
    if (n.type !== 'identifier') return;
    const parent = n.parent;
    const isKey = parent && parent.type === 'object_property' && parent.namedChild(0).id === n.id;
    const isDeclName = parent && /_declaration$/.test(parent.type) && parent.namedChild(0).id === n.id;
    if (!isKey && !isDeclName) used.add(n.text);
  });
  const decls = [
    ...t.params.map((p) => ['param', p]),
    ...t.vars.map((v) => ['var', v]),
    ...t.resources.filter((r) => r.existing).map((r) => ['existing resource', r]),
  ];
  for (const [kind, d] of decls) if (!used.has(d.name)) report(d.node, 'unused', `${kind} '${d.name}' is never used`);
}

function checkFile(t, report, isEntry) {
  checkUnused(t, report);
  checkResourceRules(t, report);
  checkSecrets(t, report);
  checkParams(t, report);
  checkOutputs(t, report, isEntry);
}

// ---- across a template set (an entry file and the modules it uses) ----------------------------------------

function checkModules(t, files, report) {
  for (const m of t.modules) {
    const target = m.path ? files.get(path.resolve(path.dirname(t.file), m.path)) : null;
    if (!target) { report(m.pathNode, 'module', `module '${m.name}': '${m.path}' not found`); continue; }
    if (!m.body) continue;
    for (const { key, keyNode } of objectProperties(m.body)) {
      if (!['name', 'scope', 'params', 'dependsOn'].includes(key)) report(keyNode, 'module', `module '${m.name}': '${key}' is not a module property`);
    }
    const given = objectProperties(getProperty(m.body, 'params'));
    for (const g of given) {
      const p = target.params.find((x) => x.name === g.key);
      if (!p) report(g.keyNode, 'module-params', `module '${m.name}': ${m.path} has no param '${g.key}'`);
      else checkLiteralAgainstParam(p, g.value, report, `module '${m.name}' param '${g.key}'`);
    }
    for (const p of target.params) {
      if (!p.defaultValue && !p.type.endsWith('?') && !given.some((g) => g.key === p.name)) {
        report(m.node, 'module-params', `module '${m.name}': required param '${p.name}' of ${m.path} is not given`);
      }
    }
  }
}

function moduleTarget(entry, m, files) {
  return m.path ? files.get(path.resolve(path.dirname(entry.file), m.path)) : null;
}

function checkSet(entry, files, report) {
  for (const t of files.values()) checkModules(t, files, report);
  const all = [...files.values()];
  const resources = all.flatMap((t) => t.resources.map((r) => ({ ...r, t })));

  const identities = resources.filter((r) => typeOf(r) === T.identity && !r.existing);
  if (identities.length !== 1) {
    report(identities[1] ? identities[1].node : entry.root, 'single-identity', `exactly one user-assigned identity expected, found ${identities.length}`);
  }

  const roleFiles = new Set(resources.filter((r) => typeOf(r) === T.role).map((r) => r.t.file));
  if (roleFiles.size > 1) report(entry.root, 'role-assignments', `role assignments are spread over ${roleFiles.size} files; keep them in one module`);

  // The identity module's outputs must reach every module that runs as, or grants to, the identity.
  const idModule = entry.modules.find((m) => {
    const target = moduleTarget(entry, m, files);
    return target && target.resources.some((r) => typeOf(r) === T.identity && !r.existing);
  });
  if (idModule) {
    const needs = [T.site, T.admin, T.role];
    for (const m of entry.modules) {
      const target = moduleTarget(entry, m, files);
      const uses = target ? target.resources.filter((r) => needs.includes(typeOf(r))).map((r) => r.typeRef.split('@')[0]) : [];
      if (!uses.length || !m.body) continue;
      const params = getProperty(m.body, 'params');
      if (!params || !params.text.includes(`${idModule.name}.outputs.`)) {
        report(m.node, 'identity-wiring', `module '${m.name}' declares ${[...new Set(uses)].join(', ')} but gets nothing from the identity module '${idModule.name}'`);
      }
    }
  }
  checkAbbreviations(entry, report);
}

// Every abbrs.<key> used must exist in the JSON file loaded with loadJsonContent.
function checkAbbreviations(t, report) {
  for (const v of t.vars) {
    const value = unwrap(v.value);
    if (!value || value.type !== 'call_expression' || value.childForFieldName('function').text !== 'loadJsonContent') continue;
    const arg = namedChildren(value.childForFieldName('arguments'))[0];
    const file = path.resolve(path.dirname(t.file), stringLiteral(arg) || '');
    let keys;
    try { keys = Object.keys(JSON.parse(fs.readFileSync(file, 'utf8'))); } catch (e) {
      report(arg, 'abbreviations', `cannot read ${stringLiteral(arg)}: ${e.message.split('\n')[0]}`);
      continue;
    }
    walk(t.root, (n) => {
      if (n.type !== 'member_expression') return;
      const obj = n.childForFieldName('object');
      const prop = n.childForFieldName('property');
      if (obj && prop && obj.text === v.name && !keys.includes(prop.text)) {
        report(prop, 'abbreviations', `'${prop.text}' is not in ${stringLiteral(arg)}`);
      }
    });
  }
}

// ---- what this project's deployment must contain ----------------------------------------------------------

const REQUIRED_SETTINGS = {
  AzureWebJobsStorage__accountName: null,
  AzureWebJobsStorage__credential: (v) => v === 'managedidentity',
  AzureWebJobsStorage__clientId: null,
  APPLICATIONINSIGHTS_CONNECTION_STRING: null,
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: (v, n) => /Authorization=AAD/.test(n.text),
  AZURE_CLIENT_ID: null,
  ConnectionStrings__postgres: (v, n) => /Host=/.test(n.text) && /Username=/.test(n.text) && /Ssl Mode=Require/i.test(n.text),
  Prewarm__postgres__WarmConnections: null,
  Prewarm__KeepAliveSchedule: null,
};
const REQUIRED_OUTPUTS = ['AZURE_LOCATION', 'AZURE_FUNCTION_APP_NAME', 'POSTGRES_HOST', 'POSTGRES_DATABASE', 'POSTGRES_USERNAME'];

function checkProject(entry, files, report) {
  const all = [...files.values()];
  const resources = all.flatMap((t) => t.resources.filter((r) => !r.existing && r.body));
  const has = (type, pred = () => true) => resources.some((r) => typeOf(r) === type && pred(r));
  const missing = (rule, what) => report(entry.root, rule, `the templates must declare ${what}`);

  if (entry.targetScope === null || entry.targetScope.value !== 'subscription') report(entry.root, 'target-scope', "main.bicep must have targetScope = 'subscription'");
  const token = entry.vars.find((v) => v.name === 'resourceToken');
  if (!token || !/uniqueString\(\s*subscription\(\)\.id\s*,\s*environmentName\s*,\s*location\s*\)/.test(token.value.text)) {
    report(token ? token.node : entry.root, 'resource-token', 'var resourceToken must be built from uniqueString(subscription().id, environmentName, location)');
  }
  if (!has(T.plan, (r) => literalValuesAt(r.body, ['sku']).some((s) => literalsAt(s, ['name']).includes('FC1') && literalsAt(s, ['tier']).includes('FlexConsumption')))) {
    missing('flex-plan', "a Flex Consumption plan (sku { name: 'FC1', tier: 'FlexConsumption' })");
  }
  if (!has(T.site)) missing('always-ready', 'a Function App (Microsoft.Web/sites)');
  if (!has(T.server)) missing('entra-only', 'a PostgreSQL Flexible Server');
  if (!has(T.admin)) missing('postgres-admin', 'the managed identity as PostgreSQL Entra administrator');
  if (!has(T.storage)) missing('shared-key', 'a storage account');
  if (!has(T.insights)) missing('local-auth', 'Application Insights');
  const configNamed = (n) => (r) => literalsAt(r.body, ['name']).includes(n);
  if (!has(T.config, configNamed('require_secure_transport'))) missing('tls', "the 'require_secure_transport' configuration");
  if (!has(T.config, configNamed('pgbouncer.enabled'))) missing('pgbouncer', "the 'pgbouncer.enabled' configuration");

  const settings = new Map();
  for (const t of all) {
    walk(t.root, (n) => {
      if (n.type !== 'object') return;
      for (const { key, value } of objectProperties(n)) if (key in REQUIRED_SETTINGS) settings.set(key, value);
    });
  }
  for (const [key, pred] of Object.entries(REQUIRED_SETTINGS)) {
    const value = settings.get(key);
    if (!value) missing('app-settings', `the app setting '${key}'`);
    else if (pred && !pred(stringLiteral(value), value)) report(value, 'app-settings', `app setting '${key}' has the wrong shape`);
  }
  for (const name of REQUIRED_OUTPUTS) {
    if (!entry.outputs.some((o) => o.name === name)) missing('outputs', `the output '${name}'`);
  }
}

module.exports = { checkFile, checkSet, checkProject };
